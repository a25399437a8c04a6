import SWIM
import Testing

@Suite struct SWIMMembershipTests {
    struct MergeCase: Sendable, CustomStringConvertible {
        var local: [SWIMGossip]
        var remote: SWIMGossip
        var status: SWIMMemberStatus?
        var incarnation: UInt64?
        var description: String { "local \(local.map { "\($0.status)@\($0.incarnation)" }) + remote \(remote.status)@\(remote.incarnation)" }
    }

    static let mergeCases: [MergeCase] = [
        // Higher incarnations win.
        MergeCase(local: [Fixture.alive(3)], remote: Fixture.alive(3, incarnation: 2), status: .alive, incarnation: 2),
        MergeCase(local: [Fixture.alive(3, incarnation: 2)], remote: Fixture.alive(3, incarnation: 1), status: .alive, incarnation: 2),
        MergeCase(local: [Fixture.alive(3), Fixture.fact(.dead, 3, incarnation: 1, reporter: 2)],
                  remote: Fixture.alive(3, incarnation: 2), status: .alive, incarnation: 2),
        MergeCase(local: [Fixture.alive(3, incarnation: 2)], remote: Fixture.fact(.suspect, 3, incarnation: 1, reporter: 4),
                  status: .alive, incarnation: 2),
        // At an equal incarnation: suspect over alive, dead over suspect, left over dead.
        MergeCase(local: [Fixture.alive(3, incarnation: 1)], remote: Fixture.fact(.suspect, 3, incarnation: 1, reporter: 4),
                  status: .suspect, incarnation: 1),
        MergeCase(local: [Fixture.alive(3), Fixture.fact(.suspect, 3, incarnation: 1, reporter: 2)],
                  remote: Fixture.alive(3, incarnation: 1), status: .suspect, incarnation: 1),
        MergeCase(local: [Fixture.alive(3), Fixture.fact(.dead, 3, incarnation: 1, reporter: 2)],
                  remote: Fixture.alive(3, incarnation: 1), status: .dead, incarnation: 1),
        MergeCase(local: [Fixture.alive(3), Fixture.fact(.left, 3, incarnation: 1, reporter: 3)],
                  remote: Fixture.fact(.dead, 3, incarnation: 1, reporter: 4), status: .left, incarnation: 1),
        MergeCase(local: [Fixture.alive(3, incarnation: 1)], remote: Fixture.fact(.left, 3, incarnation: 1, reporter: 3),
                  status: .left, incarnation: 1),
        // A remote's verdict of death is only a suspicion here, so the member can refute it.
        MergeCase(local: [Fixture.alive(3, incarnation: 1)], remote: Fixture.fact(.dead, 3, incarnation: 1, reporter: 4),
                  status: .suspect, incarnation: 1),
        // Strangers are learnt from alive entries only.
        MergeCase(local: [], remote: Fixture.alive(3, incarnation: 4), status: .alive, incarnation: 4),
        MergeCase(local: [], remote: Fixture.fact(.dead, 3, incarnation: 4, reporter: 4), status: nil, incarnation: nil),
    ]

    @Test(arguments: mergeCases)
    func pushPullMergesByIncarnationThenByState(_ merge: MergeCase) {
        var driver = Driver(instance: Fixture.instance(others: 1))
        _ = driver.receive(Fixture.gossip(merge.local), from: 2)
        _ = driver.instance.onPushPull([merge.remote], now: driver.now)
        let member = driver.instance.member(SWIMNodeID(3))
        #expect(member?.status == merge.status)
        #expect(member?.incarnation == merge.incarnation)
    }

    @Test func aDeathGossipedDirectlyIsFinalForThatIncarnation() {
        var driver = Driver(instance: Fixture.instance(others: 3))
        let events = driver.receive(Fixture.gossip([Fixture.fact(.dead, 3, incarnation: 0, reporter: 2)]), from: 2).events
        #expect(events.map(\.member.status) == [.dead])
        #expect(driver.instance.member(SWIMNodeID(3))?.status == .dead)
    }

    @Test func aRestartedMemberRefutesItsOwnDeathAndRejoins() throws {
        // Member 1 restarts at incarnation 0 while the cluster remembers it dead at 3.
        var restarted = Driver(instance: Fixture.instance(others: 0))
        _ = restarted.instance.onPushPull([Fixture.alive(2), Fixture.fact(.dead, 1, incarnation: 3, reporter: 2)], now: .zero)
        #expect(restarted.instance.myself.incarnation == 4)
        var other = Driver(instance: Fixture.loner(2))
        _ = other.receive(Fixture.gossip([Fixture.alive(1, incarnation: 3), Fixture.fact(.dead, 1, incarnation: 3, reporter: 5)]), from: 5)
        let reply = restarted.receive(SWIMMessage(sender: SWIMNodeID(2), payload: .ping(sequence: 1, target: SWIMNodeID(1))), from: 2)
        let message = try #require(reply.sent.first?.message)
        let events = other.receive(message, from: 1).events
        #expect(events.contains { if case .joined(let m) = $0 { m.id == SWIMNodeID(1) && m.incarnation == 4 } else { false } })
    }

    @Test func aMetadataUpdatePropagatesUnderANewIncarnation() throws {
        var a = Driver(instance: Fixture.instance(others: 1))
        var b = Driver(instance: Fixture.loner(2))
        _ = b.instance.onPushPull(a.instance.fullState(), now: .zero)
        let metadata = SWIMMetadata(nodeName: "a", role: "manager", rpcAddress: "10.0.0.1:4647", datacenter: "dc2", tags: ["k": "v"])
        _ = try a.instance.updateMetadata(metadata, now: a.now)
        #expect(a.instance.myself.incarnation == 1)
        let reply = a.receive(SWIMMessage(sender: SWIMNodeID(2), payload: .ping(sequence: 1, target: SWIMNodeID(1))), from: 2)
        let events = b.receive(try #require(reply.sent.first?.message), from: 1).events
        #expect(events.count == 1)
        #expect(events.first == .updated(try #require(b.instance.member(SWIMNodeID(1)))))
        #expect(b.instance.member(SWIMNodeID(1))?.metadata == metadata)
        // An older alive (previous metadata) does not undo it.
        _ = b.receive(Fixture.gossip([Fixture.alive(1, incarnation: 0)]), from: 3)
        #expect(b.instance.member(SWIMNodeID(1))?.metadata == metadata)
    }

    @Test func oversizedMetadataIsRefusedLocally() {
        var driver = Driver(instance: Fixture.instance(others: 1))
        let big = SWIMMetadata(nodeName: String(repeating: "x", count: 600))
        #expect(throws: SWIMCodecError.self) { try driver.instance.updateMetadata(big, now: .zero) }
        #expect(driver.instance.myself.incarnation == 0)
    }

    @Test func aLeavingMemberAnnouncesLeftAndStopsProbingAndRefuting() {
        var driver = Driver(instance: Fixture.instance(others: 4))
        let directives = driver.instance.leave(now: .zero)
        let announced = directives.sent.flatMap(\.message.gossip).filter { $0.member == SWIMNodeID(1) }
        #expect(!announced.isEmpty && announced.allSatisfy { $0.status == .left && $0.incarnation == 1 })
        _ = driver.receive(Fixture.gossip([Fixture.fact(.suspect, 1, incarnation: 1, reporter: 2)]), from: 2)
        #expect(driver.instance.myself.incarnation == 1)
        #expect(driver.tick(until: .zero + .seconds(2)).pings.isEmpty)

        var other = Driver(instance: Fixture.loner(2))
        _ = other.receive(Fixture.gossip([Fixture.alive(1)]), from: 1)
        let events = other.receive(directives.sent[0].message, from: 1).events.filter { $0.member.id == SWIMNodeID(1) }
        #expect(events.map(\.member.status) == [.left])
    }

    @Test func membersRememberedFromBeforeARestartAreProbedButNotAnnounced() throws {
        let remembered = [Fixture.alive(2, incarnation: 5), Fixture.alive(3), Fixture.fact(.dead, 4, incarnation: 0, reporter: 2), Fixture.alive(1)]
        var driver = Driver(instance: try SWIMInstance(id: SWIMNodeID(1), address: Fixture.address(1), settings: .lanFast,
                                                       seed: 1, now: .zero, knownMembers: remembered))
        #expect(driver.instance.members.map(\.id) == [SWIMNodeID(2), SWIMNodeID(3)])
        #expect(driver.instance.member(SWIMNodeID(2))?.incarnation == 5)
        #expect(driver.instance.pendingGossipCount == 0)
        let ping = try driver.nextPing()
        #expect([SWIMNodeID(2), SWIMNodeID(3)].contains(ping.target))
    }

    @Test func joiningAsksForAPushPullWithEachSeedButNotItself() {
        var instance = Fixture.instance(others: 0)
        let directives = instance.join(seeds: [Fixture.address(1), Fixture.address(2), Fixture.address(3)], now: .zero)
        let partners = directives.compactMap { if case .pushPull(let address, _, true) = $0 { address } else { nil } }
        #expect(partners == [Fixture.address(2), Fixture.address(3)])
    }

    @Test func messagesFullOfNonsenseNeverTrap() throws {
        var random = SWIMRandom(seed: 42)
        var driver = Driver(instance: Fixture.instance(others: 5))
        for _ in 0..<2000 {
            let id = UInt64.random(in: 0...8, using: &random)
            let statusRaw = UInt8.random(in: 0...3, using: &random)
            let fact = SWIMGossip(status: SWIMMemberStatus(rawValue: statusRaw)!, member: SWIMNodeID(id),
                                  incarnation: [0, 1, .max, .max - 1].randomElement(using: &random)!,
                                  address: Fixture.address(id), reporter: SWIMNodeID(UInt64.random(in: 0...8, using: &random)))
            let payloads: [SWIMPayload] = [
                .gossip, .ack(sequence: .random(in: 0...UInt32.max, using: &random)), .nack(sequence: 7),
                .ping(sequence: 3, target: SWIMNodeID(id)),
                .pingRequest(sequence: 9, target: SWIMNodeID(id), address: Fixture.address(id), wantsNack: true),
            ]
            _ = driver.receive(SWIMMessage(sender: SWIMNodeID(id), payload: payloads.randomElement(using: &random)!, gossip: [fact]), from: id)
            driver.now = driver.now + .milliseconds(3)
            _ = driver.instance.onTick(now: driver.now)
        }
        #expect(driver.instance.myself.status == .alive)
    }
}
