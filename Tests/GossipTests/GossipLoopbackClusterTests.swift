import Gossip
import SWIM
import Testing

/// Twenty agents on 127.0.0.1 with real UDP and TCP, encrypted: the whole life of a cluster.
@Suite struct GossipLoopbackClusterTests {
    static let size = 20

    @Test func twentyAgentsConvergeDetectAnAbruptStopAndSeeAGracefulLeave() async throws {
        let settings = SWIMSettings.lanFast
        let shells = try GossipTestSupport.startCluster(count: Self.size, keyring: .generated())
        let converged = await GossipTestSupport.waitFor(within: .seconds(20)) { GossipTestSupport.converged(shells) }
        #expect(converged != nil, "20 agents did not converge within 20 s")
        guard converged != nil else {
            await GossipTestSupport.stopAll(shells)
            return
        }

        // Stop one without a word, as kill -9 would: every other agent must declare it failed
        // within the bound the settings imply (plus slack for a loaded machine).
        let victim = shells[Self.size - 1]
        let survivors = Array(shells.prefix(Self.size - 1))
        await victim.stop()
        let bound = GossipTestSupport.detectionBound(memberCount: Self.size, settings: settings)
        let slack = Duration.seconds(5)
        let detected = await GossipTestSupport.waitFor(within: bound + slack) {
            survivors.allSatisfy { $0.members.first { $0.id == victim.nodeID }?.status == .dead }
        }
        #expect(detected != nil, "not every agent declared the stopped one failed within \(GossipTestSupport.seconds(bound + slack)) s")
        print("""
            Gossip loopback (n=\(Self.size), lanFast, encrypted): converged in \(GossipTestSupport.seconds(converged ?? .zero)) s; \
            stopped agent failed everywhere after \(GossipTestSupport.seconds(detected ?? .zero)) s \
            (bound \(GossipTestSupport.seconds(bound)) s)
            """)

        // A graceful leave is seen as left, not failed.
        let leaver = survivors[Self.size - 2]
        let stayers = Array(survivors.prefix(Self.size - 2))
        await leaver.leave()
        let left = await GossipTestSupport.waitFor(within: .seconds(10)) {
            stayers.allSatisfy { $0.members.first { $0.id == leaver.nodeID }?.status == .left }
        }
        #expect(left != nil, "not every agent saw the leave")

        // The remaining agents still agree on who is alive, and nothing forged got through.
        let stayerIDs = Set(stayers.map(\.nodeID))
        for shell in stayers {
            let alive = Set(shell.members.filter { $0.status == .alive }.map(\.id))
            #expect(alive == stayerIDs.subtracting([shell.nodeID]), "\(shell.nodeID) disagrees")
            #expect(shell.statistics.dropped(.authenticationFailed) == 0)
        }
        await GossipTestSupport.stopAll(stayers)
    }
}
