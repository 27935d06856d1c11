import TestSupport
import Testing

@testable import Ensemble

/// `JoinTargets` keeps views instead of lists of addresses: it must name the same targets, in
/// the same order, as the list it replaced (the leader address and seeds, each view's members
/// sorted and then its voters, each followed leader; every address once, never the member's own).
@Suite struct JoinTargetsTests {
    /// The list as `MemberState` built it before.
    struct ReferenceList {
        var me: NodeAddress
        var targets: [NodeAddress]

        init(me: NodeAddress, addresses: [NodeAddress]) {
            self.me = me
            var seen: Set<NodeAddress> = [me]
            targets = addresses.filter { seen.insert($0).inserted }
        }

        mutating func append(_ address: NodeAddress) {
            if address != me, !targets.contains(address) { targets.append(address) }
        }

        mutating func append(membersOf view: MembershipView) {
            var known = Set(targets)
            known.insert(me)
            for address in view.members.keys.sorted() + view.voters.map(\.address) where known.insert(address).inserted {
                targets.append(address)
            }
        }

        func next(after address: NodeAddress) -> NodeAddress? {
            guard targets.count > 1 else { return nil }
            return targets[((targets.firstIndex(of: address) ?? -1) + 1) % targets.count]
        }
    }

    static func address(_ number: UInt64) -> NodeAddress { NodeAddress(host: "10.0.0.\(number)", port: 1900) }

    /// A view of some of twelve addresses, its voters some of them too (members or not).
    static func view(_ random: inout SplitMix64) -> MembershipView {
        let leader = MemberInfo(node: NodeID(address: address(1 + random.next() % 12), incarnation: 1), capabilities: .none)
        var view = MembershipView(leader: leader)
        for number in 1...12 where random.unit() < 0.5 {
            view.apply(.memberUp(MemberInfo(node: NodeID(address: address(UInt64(number)), incarnation: 1), capabilities: .none)))
        }
        if random.unit() < 0.3 { view.apply(.memberDown(leader.node, reason: "lost")) }
        let voters = (1...12).filter { _ in random.unit() < 0.25 }.map { NodeID(address: address(UInt64($0)), incarnation: 2) }
        view.apply(.voters(voters))
        return view
    }

    @Test func theyNameTheSameTargetsInTheSameOrderAsTheListOfAddresses() {
        var random = SplitMix64(seed: 20)
        for _ in 0..<400 {
            let me = Self.address(1 + random.next() % 12)
            let start = (0..<Int(random.next() % 4)).map { _ in Self.address(1 + random.next() % 14) }
            var targets = JoinTargets(me: me, addresses: start)
            var reference = ReferenceList(me: me, addresses: start)
            for _ in 0..<Int(random.next() % 5) {
                if random.unit() < 0.5 {
                    let view = Self.view(&random)
                    targets.append(membersOf: view)
                    reference.append(membersOf: view)
                } else {
                    let address = Self.address(1 + random.next() % 14)
                    targets.append(address)
                    reference.append(address)
                }
            }
            for number in 1...14 {
                let address = Self.address(UInt64(number))
                #expect(targets.contains(address) == reference.targets.contains(address))
                #expect(targets.next(after: address) == reference.next(after: address), "after \(address) in \(reference.targets)")
            }
            let endsIn0Or2 = { (address: NodeAddress) in address.host.hasSuffix("0") || address.host.hasSuffix("2") }
            #expect(targets.allSatisfy(endsIn0Or2) == reference.targets.allSatisfy(endsIn0Or2))
        }
    }
}
