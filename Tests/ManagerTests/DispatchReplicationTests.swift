import ClusterModel
import Foundation
import Glibc
@testable import Manager
import Raft
import RaftRuntime
import StateStore
import Synchronization
import Testing

/// Three managers on Raft in one process (loopback TCP between them): a dispatch sent to a
/// follower is forwarded, applied once as one command, seen by every manager, and scheduled
/// by the leader.
@Suite(.serialized) struct DispatchReplicationTests {
    @Test(.timeLimit(.minutes(5)))
    func aDispatchSentToAFollowerIsForwardedAppliedOnceAndPlaced() async throws {
        let trio = try await InProcessManagerTrio.start(
            label: "dispatch", settings: ManagerSettings(leaderWait: .seconds(30)), clock: ManagerServerTests.clock)
        var failure: (any Error)?
        do { try await Self.dispatchThroughAFollower(trio.managers) } catch { failure = error }
        await trio.stop()
        if let failure { throw failure }
    }

    static func dispatchThroughAFollower(_ managers: [ManagerServer]) async throws {
        // A follower: one that is not the leader once a leader is known to every manager.
        var follower: ManagerServer?
        let start = ContinuousClock.now
        while follower == nil, ContinuousClock.now - start < .seconds(60) {
            var leaders = 0
            var candidate: ManagerServer?
            for manager in managers {
                if await manager.leads { leaders += 1 } else { candidate = manager }
            }
            if leaders == 1 { follower = candidate } else { try await Task.sleep(for: .milliseconds(50)) }
        }
        let through = try #require(follower, "no leader was elected")

        try await through.registerNode(ManagerServerTests.node("w1"))
        _ = try await through.register(DispatchTests.parameterized("resize"))
        let dispatched = try await through.dispatch(
            DispatchRequest(jobID: "resize", payload: Array("cat.png".utf8), meta: ["size": "640x480"]))
        #expect(dispatched.jobID.hasPrefix("resize/dispatch-"))

        for manager in managers {
            let state = try await ManagerServerTests.state(of: manager, "the child replicated and placed") {
                !$0.allocations(jobID: dispatched.jobID).isEmpty
            }
            #expect(state.job(id: dispatched.jobID)?.spec.payload == Array("cat.png".utf8))
            #expect(state.job(id: dispatched.jobID)?.spec.meta["size"] == "640x480")
            #expect(state.jobs().filter { $0.spec.parentID == "resize" }.count == 1)
            #expect(state.evaluation(id: dispatched.evaluationID) != nil)
        }

        // A follower refuses with the same message the leader would give.
        do {
            _ = try await through.dispatch(DispatchRequest(jobID: "resize", payload: [1]))
            Issue.record("a dispatch without its required meta went through")
        } catch {
            #expect(error.description == "job \"resize\" requires meta key \"size\": add -meta size=VALUE")
        }
    }
}
