import ClusterModel
@testable import Manager
import Testing

@Suite struct NodeLivenessTests {
    static let start = Timestamp(nanosecondsSinceEpoch: 1_000_000_000_000)
    static let node = NodeID(uuid: "node-a")

    @Test func aGossipVerdictStandsForTheWholeGraceBeforeTheNodeIsReportedOnce() {
        var liveness = NodeLiveness()
        liveness.gossipDeclaredFailed(Self.node, at: Self.start)
        // A repeated verdict does not restart the grace period.
        liveness.gossipDeclaredFailed(Self.node, at: Self.start + .seconds(10))
        #expect(liveness.nodesFailedByGossip(at: Self.start + .seconds(14), grace: .seconds(15)).isEmpty)
        #expect(liveness.nodesFailedByGossip(at: Self.start + .seconds(15), grace: .seconds(15)) == [Self.node])
        #expect(liveness.nodesFailedByGossip(at: Self.start + .seconds(30), grace: .seconds(15)).isEmpty)
    }

    @Test func aHeartbeatOrGossipSeeingTheNodeAliveWithdrawsTheVerdict() {
        var liveness = NodeLiveness()
        liveness.gossipDeclaredFailed(Self.node, at: Self.start)
        liveness.heard(from: Self.node, at: Self.start + .seconds(5))
        #expect(liveness.nodesFailedByGossip(at: Self.start + .seconds(20), grace: .seconds(15)).isEmpty)

        liveness.gossipDeclaredFailed(Self.node, at: Self.start + .seconds(21))
        liveness.gossipDeclaredAlive(Self.node)
        #expect(liveness.nodesFailedByGossip(at: Self.start + .seconds(60), grace: .seconds(15)).isEmpty)
    }

    @Test func aNodeReportedFailedByGossipIsNotReportedSilentAgain() {
        var liveness = NodeLiveness()
        liveness.heard(from: Self.node, at: Self.start)
        liveness.gossipDeclaredFailed(Self.node, at: Self.start + .seconds(1))
        #expect(liveness.nodesFailedByGossip(at: Self.start + .seconds(16), grace: .seconds(15)) == [Self.node])
        #expect(liveness.silentNodes(at: Self.start + .seconds(60), ttl: .seconds(10)).isEmpty)
    }
}
