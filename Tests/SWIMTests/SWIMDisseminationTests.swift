import SWIM
import Testing

@Suite struct SWIMDisseminationTests {
    /// Answers pings from member 2 until the queue is empty, counting how often each member's
    /// update rode on an ack.
    static func drain(_ driver: inout Driver, startingAt sequence: inout UInt32) -> [SWIMNodeID: Int] {
        var counts: [SWIMNodeID: Int] = [:]
        for _ in 0..<200 where driver.instance.pendingGossipCount > 0 {
            sequence += 1
            let ping = SWIMMessage(sender: SWIMNodeID(2), payload: .ping(sequence: sequence, target: SWIMNodeID(1)))
            for entry in driver.receive(ping, from: 2).sent.flatMap(\.message.gossip) { counts[entry.member, default: 0] += 1 }
        }
        return counts
    }

    @Test func eachUpdateIsSentExactlyTheRetransmitLimitTimes() {
        var driver = Driver(instance: Fixture.instance(others: 10))
        let limit = SWIMSettings.lanFast.retransmitLimit(memberCount: 11)
        #expect(limit == 4 * 2)
        var sequence: UInt32 = 0
        let counts = Self.drain(&driver, startingAt: &sequence)
        #expect(counts.count == 10)
        #expect(counts.values.allSatisfy { $0 == limit }, "\(counts)")
    }

    @Test func freshUpdatesGoBeforeOlderOnes() throws {
        var driver = Driver(instance: Fixture.instance(others: 10))
        let ping = SWIMMessage(sender: SWIMNodeID(2), payload: .ping(sequence: 1, target: SWIMNodeID(1)))
        _ = driver.receive(ping, from: 2)
        _ = driver.receive(Fixture.gossip([Fixture.alive(50)]), from: 3)
        let next = try #require(driver.receive(ping, from: 2).sent.first?.message.gossip)
        #expect(next.first?.member == SWIMNodeID(50))
    }

    @Test func compoundedGossipStaysWithinThePacketBudget() throws {
        var instance = try SWIMInstance(id: SWIMNodeID(1), address: Fixture.address(1), settings: .lanFast, seed: 3, now: .zero)
        let metadata = SWIMMetadata(nodeName: "a-rather-long-node-name", role: "worker", rpcAddress: "10.0.0.1:4647",
                                    datacenter: "dc1", tags: ["rack": "r12", "zone": "europe-west-3b"])
        _ = instance.onPushPull((2..<200).map { Fixture.alive($0, metadata: metadata) }, now: .zero)
        let directives = instance.onMessage(SWIMMessage(sender: SWIMNodeID(2), payload: .ping(sequence: 1, target: SWIMNodeID(1))),
                                            from: Fixture.address(2), now: .zero)
        let message = try #require(directives.sent.first?.message)
        let bytes = try SWIMCodec.encode(message)
        #expect(bytes.count <= SWIMSettings.lanFast.packetBudget)
        #expect(message.gossip.count > 5)
        #expect(bytes.count > SWIMSettings.lanFast.packetBudget - 200, "the packet should be nearly full")
    }

    @Test func aGossipRoundSendsQueuedUpdatesToGossipNodesMembers() {
        var driver = Driver(instance: Fixture.instance(others: 10))
        let sent = driver.tick(until: SWIMInstant.zero + SWIMSettings.lanFast.gossipInterval).sent.filter { $0.message.payload == .gossip }
        #expect(sent.count == SWIMSettings.lanFast.gossipNodes)
        #expect(Set(sent.map(\.to)).count == sent.count)
    }

    @Test func nothingIsGossipedWhenTheQueueIsEmpty() {
        var driver = Driver(instance: Fixture.instance(others: 10))
        var sequence: UInt32 = 0
        _ = Self.drain(&driver, startingAt: &sequence)
        let sent = driver.tick(until: SWIMInstant.zero + SWIMSettings.lanFast.gossipInterval * 3).sent
        #expect(!sent.contains { $0.message.payload == .gossip })
    }
}
