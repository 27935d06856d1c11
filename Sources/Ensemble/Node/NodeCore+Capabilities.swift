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
        counters.add("capabilityChanges")
        if stopped > 0 { counters.add("actorsStoppedCapabilityLost", stopped) }
        return .success(current)
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
