import Testing

@testable import Ensemble

/// The member table views keep: a dictionary whose changed copies share what they did not change.
@Suite struct MemberTableTests {
    static func record(_ port: UInt16, _ incarnation: UInt64, load: Int = 0) -> MemberInfo {
        Fixture.member(Fixture.node(port, incarnation), load: load)
    }

    /// A seeded run of sets and removals over 300 addresses (enough to fold the changes into new
    /// bases many times), on several copies that go their own ways, each checked against a
    /// dictionary doing the same (records, and the life at an address as `node(at:)` reads it).
    @Test(arguments: [1, 2, 3] as [UInt64])
    func copiesThatChangeApartEachHoldWhatADictionaryWould(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var tables: [MemberTable] = [[:]]
        var models: [[NodeAddress: MemberInfo]] = [[:]]
        for step in 0..<6000 {
            let index = Int(random.next() % UInt64(tables.count))
            let port = UInt16(20000 + random.next() % 300)
            let address = Fixture.node(port).address
            switch random.next() % 8 {
            case 0:
                // A copy that changes apart from its original from now on.
                if tables.count < 6 {
                    tables.append(tables[index])
                    models.append(models[index])
                }
            case 1, 2:
                #expect(tables[index].removeValue(forKey: address) == models[index].removeValue(forKey: address))
            case 3:
                if tables[index][address] != nil { tables[index][address]?.load = step }
                if models[index][address] != nil { models[index][address]?.load = step }
            default:
                let record = Self.record(port, random.next() % 3 + 1, load: step)
                #expect(tables[index].updateValue(record, forKey: address) == models[index].updateValue(record, forKey: address))
            }
            #expect(tables[index].count == models[index].count && tables[index][address] == models[index][address])
            #expect(tables[index].node(at: address) == models[index][address]?.node)
        }
        for (table, model) in zip(tables, models) {
            #expect(table.dictionary == model)
            let listed = table.map { ($0.key, $0.value) }
            #expect(listed.count == model.count && Dictionary(listed, uniquingKeysWith: { first, _ in first }) == model)
            #expect(Set(table.keys) == Set(model.keys) && table.keys.count == model.count)
            #expect(table.isEmpty == model.isEmpty)
        }
        // Equal exactly when the dictionaries are, from the same base or not; and where two
        // tables of one base differ, the addresses they name include it.
        for first in tables.indices {
            for second in tables.indices {
                let (one, other) = (tables[first], tables[second])
                #expect((one == other) == (models[first] == models[second]))
                #expect((MemberTable(one.dictionary) == other) == (models[first] == models[second]))
                if let differing = one.addresses(differingFrom: other) {
                    let truly = Set(models[first].keys).union(models[second].keys).filter { models[first][$0] != models[second][$0] }
                    #expect(truly.isSubset(of: differing))
                }
            }
        }
    }

    @Test func aCopyChangedOnceDiffersFromItsOriginalInThatAddressAloneAndATableMadeWholeIsUnrelated() {
        let members = (UInt16(20000)..<20100).map { Self.record($0, 1) }
        let table = MemberTable(Dictionary(uniqueKeysWithValues: members.map { ($0.node.address, $0) }))
        var changed = table
        changed.updateValue(Self.record(20005, 2), forKey: Fixture.node(20005).address)
        #expect(changed.addresses(differingFrom: table) == [Fixture.node(20005).address])
        #expect(table.addresses(differingFrom: changed) == [Fixture.node(20005).address])
        #expect(changed != table && changed.count == table.count)
        #expect(MemberTable(table.dictionary).addresses(differingFrom: table) == nil)
        #expect(MemberTable(table.dictionary) == table)
        // Past the fold limit the changes become a base of their own: no longer related.
        for port in UInt16(20000)..<20000 + UInt16(MemberTable.foldLimit(members: 100)) + 1 {
            changed.removeValue(forKey: Fixture.node(port).address)
        }
        #expect(changed.addresses(differingFrom: table) == nil)
        #expect(changed.count == 100 - MemberTable.foldLimit(members: 100) - 1)
    }

    /// `LostLives` following views of other chains made from the same base (a view replaced by a
    /// shared one), some several updates on, says what comparing whole views says.
    @Test(arguments: [5, 6, 7] as [UInt64])
    func lostLivesFollowingAnotherChainOfTheSameBaseGivesWhatWholeViewsGive(seed: UInt64) {
        var random = SplitMix64(seed: seed ^ 0xA5A5)
        let me = MemberChangeTests.me
        var view = MembershipView(ViewSnapshot(
            leader: MemberChangeTests.leader, sequence: 0,
            members: [Fixture.member(MemberChangeTests.leader), Fixture.member(me)], names: [:]))
        var jumping = LostLives(limit: 8)
        var whole = LostLives(limit: 8)
        _ = jumping.viewChanged(to: view, me: me, now: .zero)
        _ = whole.viewChanged(to: MembershipView(view.snapshot), me: me, now: .zero)
        for (index, update) in MemberChangeTests.updates(seed: seed, count: 300).enumerated() {
            view.apply(update, sequence: UInt64(index + 1))
            guard random.next() % 3 == 0 else { continue }
            let now = Duration.milliseconds(index)
            // The same members, another chain of member changes: the table's changes say where.
            var other = view
            other.succeed(by: view.leader, term: view.term)
            let expected = whole.viewChanged(to: MembershipView(view.snapshot), me: me, now: now)
            let got = jumping.viewChanged(to: other, me: me, now: now)
            #expect(got.lost == expected.lost && got.joined == expected.joined, "after \(update)")
            #expect(jumping.lives == whole.lives && jumping.absentSince == whole.absentSince)
        }
    }
}
