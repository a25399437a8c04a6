import Gossip
import SWIM
import Testing

/// A member whose process is gone while its machine is up: the machine answers for the closed
/// ports (ICMP port unreachable on UDP, a reset on TCP), and the prober uses that answer.
@Suite struct GossipRefusalTests {
    @Test func aStoppedAgentsClosedPortsAreRefusedAndEndTheProbesOfItEarly() async throws {
        let shells = try GossipTestSupport.startCluster(count: 4, keyring: .generated())
        let converged = await GossipTestSupport.waitFor(within: .seconds(20)) { GossipTestSupport.converged(shells) }
        #expect(converged != nil, "4 agents did not converge within 20 s")
        let victim = shells[3]
        let survivors = Array(shells.prefix(3))
        await victim.stop()
        let detected = await GossipTestSupport.waitFor(within: .seconds(30)) {
            survivors.allSatisfy { $0.members.first { $0.id == victim.nodeID }?.status == .dead }
        }
        #expect(detected != nil, "the stopped agent was not declared failed everywhere within 30 s")
        let refusals = survivors.reduce(0) { $0 + $1.statistics.refusalsReceived }
        let refusedProbes = survivors.reduce(0) { $0 + $1.protocolStatistics.probesRefused }
        #expect(refusals > 0, "no ICMP port unreachable reached the survivors")
        #expect(refusedProbes > 0, "no probe of the stopped agent ended on a refused TCP fallback")
        #expect(GossipTestSupport.converged(survivors), "a survivor was wrongly declared failed")
        await GossipTestSupport.stopAll(survivors)
    }
}
