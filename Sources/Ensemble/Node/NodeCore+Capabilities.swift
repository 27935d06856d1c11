#if canImport(Glibc)
import Glibc
#endif

extension NodeCore {
    /// Adds or removes one capability and stops local actors that no longer fit
    /// (their parents hear `capabilityLost`). Returns the new set, or why not.
    func changeCapability(add: Bool, name: String) -> Result<Capabilities, CapabilityChangeError> {
        let name = name.trimmingWhitespace()
        guard !name.isEmpty else { return .failure(.emptyName) }
        var current = capabilities
        if add {
            current.insert(name)
        } else if !current.remove(name) {
            return .failure(.notPresent(name, node: nodeID.address))
        }
        setCapabilities(current)
        var stopped = 0
        for cell in allCells {
            guard let type = actorTypes[cell.typeName], !current.satisfies(type.requirements) else { continue }
            logger.notice("\(cell.typeName) \(cell.address) no longer fits \(nodeID.address) (\(current)); stopping it")
            cell.stop(.capabilityLost)
            stopped += 1
        }
        noteCapabilityChange()
        counters.add("capabilityChanges")
        if stopped > 0 { counters.add("actorsStoppedCapabilityLost", stopped) }
        return .success(current)
    }
}

extension NodeCore {
    /// Records when this node learnt of a capability change (its own at `chgcap`, another
    /// member's from the leader): `ensemble_capability_change_seen_time_seconds`, which
    /// `bench --scale` compares across nodes to time propagation with clocks inside them.
    func noteCapabilityChange() {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        metrics.capabilityChangeSeen(atUnixSeconds: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
    }
}

/// Why a capability change was refused.
public enum CapabilityChangeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The capability name is empty after trimming.
    case emptyName
    /// Removing a capability the node does not have.
    case notPresent(String, node: NodeAddress)

    public var description: String {
        switch self {
        case .emptyName: return "a capability name cannot be empty"
        case .notPresent(let name, let node): return "\(node) does not have capability \"\(name)\""
        }
    }
}
