import Foundation
import TestSupport

@testable import Ensemble

/// A whole convention simulated from one seed: 3 to 5 nodes running the real protocol code
/// (`SimNode` around `ControlPlane`, `FailureDetector`, `Placement`), a seeded network
/// (`SimNetwork`), seeded faults, and the invariants checked after every step.
///
/// Time moves in steps of 20 ms; every node not frozen takes one turn per step, in an order
/// the seed shuffles. For `faultTime` the network loses and reorders messages, and partitions,
/// kills and freezes come and overlap, only while the convention can survive them: the
/// documented limits (docs/architecture.md, "Limits") are not faults to find, so a fault starts
/// only while one leader leads at least three voters and, with it, no more voters are dead
/// lives, frozen or cut off than a majority can spare (a partition may also cut the voters in
/// half while nothing else is wrong). Clients create actors, named from a small pool so that
/// names conflict, and change capabilities throughout. Wall clocks are skewed per machine by up
/// to ±3 s (`bornMs`, incarnations), and a restarted machine's clock may have been set back.
struct ConventionSimulation {
    struct Slot {
        var address: NodeAddress
        var node: SimNode?
        var frozenUntil: Duration?
        /// When a new life starts here, and above which life (nil: a new process, by its clock alone).
        var restartAt: Duration?
        var restartAbove: NodeID?
        /// Whether the restart ends a fault (a kill), rather than following from one.
        var restartIsFault = false
        var skewMs: Int64
        var configured: Capabilities
        /// The addresses the last life knew: the next life's seeds.
        var known: [NodeAddress] = []
    }

    let seed: UInt64
    var random: SplitMix64
    var network = SimNetwork()
    /// The update channels: what each node published, in flight once, and who reads it.
    var updates: SimUpdateChannels
    var slots: [Slot]
    var now: Duration = .zero
    var stepCount = 0
    static let step = Duration.milliseconds(20)
    /// Every term's leader so far.
    var leaders: [UInt64: NodeID] = [:]
    var violation: String?
    var lastFaultAt: Duration = .zero
    var partitionUntil: Duration?
    /// A digest of what happened, so that a replay can be compared.
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    var faultsInjected = 0
    /// Faults begun while another was under way.
    var overlappingFaults = 0
    var grantsUsed = 0
    /// Each address's slot, so that a delivery finds its node at once.
    let slotIndex: [NodeAddress: Int]
    /// `NodeConfiguration.maxMembers` of every life (a scripted run raises it to its size).
    var maxMembers = 255
    /// Set for a scripted run (`runScale`): faults come from the script alone and nothing heals by itself.
    var scripted = false
    /// What each slot's lives sent and received so far (`ScaleTraffic`).
    var traffic: ScaleTraffic
    /// The views the nodes share (one copy of each distinct view).
    var viewSharing = SimViewSharing(capacity: 1_000_000)

    static let names = ["alpha", "beta", "gamma"]
    static let capabilityNames = ["gpu", "morse"]

    init(seed: UInt64) {
        self.seed = seed
        var random = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let count = 3 + Int(random.next() % 3)
        var slots: [Slot] = []
        for index in 0..<count {
            let address = NodeAddress(host: "10.0.0.\(index + 1)", port: 1900)
            let skew = Int64(random.next() % 6001) - 3000
            let capabilities = Capabilities(Self.capabilityNames.filter { _ in random.unit() < 0.5 })
            slots.append(Slot(address: address, skewMs: skew, configured: capabilities))
        }
        // The founder at the leader address at once, the others within 300 ms.
        slots[0].restartAt = .zero
        for index in 1..<count { slots[index].restartAt = .milliseconds(Int(random.next() % 300)) }
        self.slots = slots
        self.random = random
        slotIndex = Self.index(slots)
        traffic = ScaleTraffic(count: slots.count)
        updates = SimUpdateChannels(count: slots.count, seed: seed ^ 0x5EED_C4A7)
    }

    /// A convention of `count` nodes for a scripted run: no capabilities, clocks skewed by up to
    /// ±3 s, the founder at the leader address at once and the others within `joinWindow`.
    init(nodes count: Int, seed: UInt64, joinWindow: Duration = .milliseconds(300)) {
        self.seed = seed
        var random = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let windowMs = UInt64(max(1, joinWindow.components.seconds * 1000 + joinWindow.components.attoseconds / 1_000_000_000_000_000))
        var slots: [Slot] = []
        for index in 0..<count {
            let number = index + 1
            let address = NodeAddress(host: "10.\(number >> 16 & 255).\(number >> 8 & 255).\(number & 255)", port: 1900)
            let skew = Int64(random.next() % 6001) - 3000
            var slot = Slot(address: address, skewMs: skew, configured: .none)
            slot.restartAt = index == 0 ? .zero : .milliseconds(Int(random.next() % windowMs))
            slots.append(slot)
        }
        self.slots = slots
        self.random = random
        slotIndex = Self.index(slots)
        traffic = ScaleTraffic(count: count)
        updates = SimUpdateChannels(count: count, seed: seed ^ 0x5EED_C4A7)
        maxMembers = max(255, count)
        scripted = true
        // Views no node holds any more stay in the tables until pushed out: about 150 bytes per
        // member record, so about 1 GB of them at most. A view an update made holds O(√N) records
        // of its own (`MemberTable`), so that is room for every update of a storm.
        viewSharing = SimViewSharing(capacity: 1_000_000_000 / 150)
    }

    private static func index(_ slots: [Slot]) -> [NodeAddress: Int] {
        Dictionary(slots.indices.map { (slots[$0].address, $0) }, uniquingKeysWith: { first, _ in first })
    }

    var leaderAddress: NodeAddress { slots[0].address }

    // MARK: Stepping

    /// One step: deliveries, restarts, every node's turn, faults, invariants.
    mutating func advance(faults: Bool) {
        now += Self.step
        stepCount += 1
        for message in network.due(by: now) { deliver(message) }
        for index in slots.indices { startLifeIfDue(index) }
        var order = Array(slots.indices)
        order.shuffle(using: &random)
        for index in order { turn(index) }
        updates.forgetDelivered()
        if faults { injectFaults() } else if !scripted { endFaults() }
        checkStep()
    }

    private mutating func deliver(_ message: SimMessage) {
        // The life read in place: a copy of the node's whole state per message would cost O(its state).
        guard let index = slotIndex[message.to], let life = slots[index].node?.life else { return }
        if let reader = message.overLinkTo, reader != life { return }
        // A route is a connection of its process's: a new life is routed anew.
        if message.isPublished && message.recipient != life { return }
        slots[index].node!.inbox.append(message)
        traffic.received(by: index, message)
    }

    private mutating func turn(_ index: Int) {
        guard slots[index].node != nil else { return }
        if let until = slots[index].frozenUntil {
            guard now >= until else { return }
            slots[index].frozenUntil = nil
            lastFaultAt = now
        }
        takePublished(index)
        // Taken out of its slot while it turns: its state is then held once, and changes in place.
        var node = slots[index].node!
        slots[index].node = nil
        node.turn(at: now)
        // Stepped down: what it published before still goes out to the members routed then.
        let routesDropped = node.routesDropped
        node.routesDropped = false
        for line in node.trace { print("\(now) \(node.life): \(line)") }
        node.trace = []
        for message in node.outbox {
            traffic.sent(by: index, message.payload)
            network.send(message, now: now, random: &random)
        }
        node.outbox = []
        var routes = node.routesHeard[...]
        for (position, payload) in node.published.enumerated() {
            while let route = routes.first, route.afterPublished <= position {
                self.route(route.member, to: index)
                routes = routes.dropFirst()
            }
            // Once into the channel, whatever the number of members routed; NodeIO writes it to each connection.
            let bytes = traffic.countsBytes ? ScaleTraffic.bytes(of: payload) : 0
            traffic.sent(by: index, copies: updates.subscribers(of: index), bytes: bytes)
            updates.publish(SimPublication(
                from: node.life, payload: payload, sentAt: now, serial: 0, sides: network.side,
                lossRate: network.lossRate, reorderRate: network.reorderRate, bytes: bytes), by: index)
        }
        for route in routes { self.route(route.member, to: index) }
        if routesDropped { updates.unsubscribeAll(from: index) }
        node.published = []
        node.routesHeard = []
        if node.isOver { updates.subscribe(index, life: nil, to: nil) }
        for event in node.events { record(event) }
        node.events = []
        // A scripted run of thousands of nodes takes its seeds only when a life ends (sorting every
        // view every turn is most of its time); the lives its script kills do not come back.
        if !scripted || node.isOver { slots[index].known = known(by: node) }
        if node.isOver {
            // The process ends; its next life starts shortly after (NodeMain binds again).
            slots[index].node = nil
            slots[index].restartAt = now + .milliseconds(50 + Int(random.next() % 450))
            slots[index].restartAbove = node.restartAbove ?? node.life
            slots[index].restartIsFault = false
            mix(0x5157, node.life.incarnation)
        } else {
            slots[index].node = node
        }
    }

    /// The leader at `leader` took `member`'s JOIN, heartbeat or snapshot request: the member's
    /// connection carries its updates from now on (`UpdateRoutes`: one route per member, its newest).
    private mutating func route(_ member: NodeID, to leader: Int) {
        guard let memberIndex = slotIndex[member.address], slots[memberIndex].node?.life == member else { return }
        updates.subscribe(memberIndex, life: member, to: leader)
    }

    /// The updates `index`'s link from the publisher it reads delivers by now: into its inbox.
    private mutating func takePublished(_ index: Int) {
        let (life, network) = (slots[index].node!.life, network)
        for (at, publication) in updates.take(for: index, life: life, by: now, reachable: network.reachable) {
            slots[index].node!.inbox.append(SimMessage(
                from: publication.from, recipient: life, payload: publication.payload, deliverAt: at, serial: publication.serial))
            traffic.received(by: index, bytes: publication.bytes)
        }
    }

    /// The process at `index` vanishes (its connections with it).
    mutating func kill(_ index: Int) {
        slots[index].node = nil
        updates.subscribe(index, life: nil, to: nil)
    }

    /// What the next life's seeds are: the members its last view knew and the leader it followed.
    private func known(by node: SimNode) -> [NodeAddress] {
        var seen: Set<NodeAddress> = [node.life.address]
        let known = (node.coreView?.members.keys.sorted() ?? []) + [node.plane.leaderAddress] + node.seeds
        return known.filter { seen.insert($0).inserted }
    }

    /// A new life starts where one is due, not while cut off from everyone (an operator's
    /// restart during a partition would found a second convention at the leader address).
    private mutating func startLifeIfDue(_ index: Int) {
        guard slots[index].node == nil, let due = slots[index].restartAt, now >= due else { return }
        let address = slots[index].address
        if network.isPartitioned, !slots.contains(where: { $0.address != address && network.reachable($0.address, address) }) {
            return
        }
        let slot = slots[index]
        let skewMs = slot.skewMs
        var clock = UInt64(1_700_000_000_000 + Int64(now.components.seconds) * 1000
            + Int64(now.components.attoseconds / 1_000_000_000_000_000) + skewMs)
        // NodeMain: a new life after a declaredDown starts above every life the convention has seen.
        if let above = slot.restartAbove { clock = max(clock, above.incarnation + 1) }
        let life = NodeID(address: address, incarnation: clock)
        slots[index].node = SimNode(
            life: life, bootAt: now, configuredLeader: leaderAddress, seeds: slot.known, skewMs: skewMs,
            capabilities: slot.configured, correlationBase: random.next(), maxMembers: maxMembers)
        slots[index].node!.viewSharing = viewSharing
        updates.subscribe(index, life: nil, to: nil)
        slots[index].restartAt = nil
        slots[index].restartAbove = nil
        if slot.restartIsFault { lastFaultAt = now }
        slots[index].restartIsFault = false
        // The founder records its term at once.
        for event in slots[index].node!.events { record(event) }
        slots[index].node!.events = []
        mix(0x57A7, life.incarnation)
    }

    // MARK: Faults

    /// How many voters of the one leader's view are at fault (a dead life, frozen, or cut off
    /// from the leader), before and with `targets` faulted too; nil unless one leader leads three or more.
    func votersAtFault(adding targets: [Int]) -> (before: Int, after: Int, voters: Int)? {
        let leading = slots.compactMap(\.node).filter { $0.plane.leader != nil }
        guard leading.count == 1, let view = leading[0].plane.view, view.voters.count >= 3 else { return nil }
        let leaderSide = network.side[leading[0].life.address] ?? 0
        var before = 0
        var after = 0
        for voter in view.voters {
            let index = slots.firstIndex { $0.address == voter.address }
            let atFault = index.map { slot in
                slots[slot].node?.life != voter || slots[slot].frozenUntil != nil
                    || (network.side[voter.address] ?? 0) != leaderSide
            } ?? true
            if atFault { before += 1 }
            if atFault || index.map(targets.contains) == true { after += 1 }
        }
        return (before, after, view.voters.count)
    }

    /// Whether the convention survives `targets` killed, frozen or cut off on top of the faults
    /// under way: a majority of the voters stays whole, or (a partition while nothing else is wrong)
    /// exactly half are cut off.
    func canSurvive(faulting targets: [Int], partition: Bool) -> Bool {
        guard let count = votersAtFault(adding: targets) else { return false }
        if count.after <= count.voters - (count.voters / 2 + 1) { return true }
        return partition && count.before == 0 && count.after * 2 == count.voters
    }

    private mutating func injectFaults() {
        network.lossRate = 0.02
        network.reorderRate = 0.05
        if let until = partitionUntil, now >= until { heal() }
        if random.unit() < 0.015 { injectFault() }
        clientActivity()
    }

    /// One more fault, when the convention survives it: a kill, a freeze or a partition.
    private mutating func injectFault() {
        let overlapping = faultUnderWay
        let index = Int(random.next() % UInt64(slots.count))
        switch random.next() % 3 {
        case 0:
            guard slots[index].node != nil, canSurvive(faulting: [index], partition: false) else { return }
            // Killed: the process vanishes; a new one starts later, by its clock (set back, now and then).
            mix(0xC111, UInt64(index))
            if SimNode.tracing { print("\(now) kill \(slots[index].address)") }
            kill(index)
            slots[index].frozenUntil = nil
            slots[index].restartAt = now + .milliseconds(300 + Int(random.next() % 2700))
            slots[index].restartAbove = nil
            slots[index].restartIsFault = true
            if random.unit() < 0.3 { slots[index].skewMs -= Int64(random.next() % 5000) }
        case 1:
            guard slots[index].node != nil, slots[index].frozenUntil == nil, canSurvive(faulting: [index], partition: false)
            else { return }
            mix(0xF4EE, UInt64(index))
            if SimNode.tracing { print("\(now) freeze \(slots[index].address)") }
            slots[index].frozenUntil = now + .milliseconds(200 + Int(random.next() % 2800))
        default:
            guard !network.isPartitioned else { return }
            var cut = slots.indices.filter { _ in random.unit() < 0.4 }
            if cut.isEmpty || cut.count == slots.count || !canSurvive(faulting: cut, partition: true) { cut = [index] }
            // A node at the leader address still looking for the convention founds its own when cut
            // off from all it knew, as one started during the partition would (a documented limit).
            let looking = cut.contains { slots[$0].node?.plane.settings.looksBeforeFounding == true }
            guard canSurvive(faulting: cut, partition: true), !looking else { return }
            mix(0x9A27, UInt64(cut.count))
            if SimNode.tracing { print("\(now) partition \(cut)") }
            for member in cut { network.side[slots[member].address] = 1 }
            partitionUntil = now + .milliseconds(300 + Int(random.next() % 3700))
        }
        if overlapping { overlappingFaults += 1 }
        faultsInjected += 1
        lastFaultAt = now
    }

    /// Whether a fault is under way (a partition, a frozen node, a killed one not yet back).
    private var faultUnderWay: Bool {
        network.isPartitioned || slots.contains { $0.frozenUntil != nil || ($0.node == nil && $0.restartIsFault) }
    }

    /// Clients create actors and change capabilities.
    private mutating func clientActivity() {
        let live = slots.indices.filter { slots[$0].node != nil }
        guard !live.isEmpty else { return }
        if random.unit() < 0.01 {
            let index = live[Int(random.next() % UInt64(live.count))]
            let name = Self.capabilityNames[Int(random.next() % 2)]
            let has = slots[index].node!.capabilities.names.contains(name)
            slots[index].node!.clientRequests.append(.capability(add: !has, name))
        }
        if random.unit() < 0.06 {
            let index = live[Int(random.next() % UInt64(live.count))]
            let type = SimActorType.allCases[Int(random.next() % 3)]
            let pick = Int(random.next() % UInt64(Self.names.count + 1))
            slots[index].node!.clientRequests.append(.create(type, name: pick < Self.names.count ? Self.names[pick] : nil))
        }
    }

    private mutating func heal() {
        network.side = [:]
        partitionUntil = nil
        lastFaultAt = now
    }

    /// The faults end: partitions heal, frozen nodes resume; killed nodes still start when due.
    private mutating func endFaults() {
        network.lossRate = 0
        network.reorderRate = 0
        if network.isPartitioned { heal() }
        for index in slots.indices where slots[index].frozenUntil != nil {
            slots[index].frozenUntil = min(slots[index].frozenUntil!, now)
        }
    }

    /// Folds a value into the run's digest.
    mutating func mix(_ tag: UInt64, _ value: UInt64) {
        digest = (digest ^ tag ^ value &* 0x100_0000_01B3) &* 0x100_0000_01B3
    }
}
