import ClusterModel
import Foundation
@testable import Manager
import Raft
import RaftRuntime
import Synchronization
import Testing

/// Three managers on Raft over loopback, in this process, sharing one simulated clock: the
/// launcher runs on whichever leads, and a leader change neither skips nor repeats a launch.
@Suite(.serialized) struct PeriodicLeaderChangeTests {
    static func children(on manager: ManagerServer) async -> [String] {
        await manager.snapshot().jobs().filter { $0.spec.parentID == "report" }.map(\.spec.id).sorted()
    }

    @Test func aNewLeaderLaunchesTheLatestMissedTimeOnceAndNeverRelaunchesARecordedOne() async throws {
        let clock = PeriodicTestClock(PeriodicTestClock.utc(2026, 4, 1, 10, 0))
        let trio = try await InProcessManagerTrio.start(label: "periodic", clock: clock.read)
        do {
            let first = try await trio.waitForLeader()
            _ = try await first.register(PeriodicLaunchTests.periodicJob(crons: ["*/5 * * * *"]))

            // 10:05 comes due: the leader's launcher (its own loop, not the test) launches it.
            clock.set(PeriodicTestClock.utc(2026, 4, 1, 10, 5))
            let at1005 = PeriodicLaunchTests.childID("report", PeriodicTestClock.utc(2026, 4, 1, 10, 5))
            for manager in trio.managers {
                try await InProcessManagerTrio.waitFor("the 10:05 child everywhere") { await Self.children(on: manager) == [at1005] }
            }

            // The leader dies; later, 10:10 and 10:15 come due.
            await trio.remove(first)
            // A new leader at 10:07 finds 10:05 recorded and launches nothing.
            clock.set(PeriodicTestClock.utc(2026, 4, 1, 10, 7))
            let second = try await trio.waitForLeader()
            try await second.readBarrier()
            #expect(await second.launchDuePeriodicJobs() == [])
            #expect(await Self.children(on: second) == [at1005])
            clock.set(PeriodicTestClock.utc(2026, 4, 1, 10, 17))
            let at1015 = PeriodicLaunchTests.childID("report", PeriodicTestClock.utc(2026, 4, 1, 10, 15))
            for manager in trio.managers {
                try await InProcessManagerTrio.waitFor("the 10:15 child on the survivors") { await Self.children(on: manager) == [at1005, at1015] }
            }
            // However often the survivors look now, nothing more is due: no repeat of 10:05 or 10:15.
            for manager in trio.managers {
                #expect(await manager.launchDuePeriodicJobs() == [])
            }
            #expect(await Self.children(on: trio.managers[0]) == [at1005, at1015])

            // And the schedule goes on under the new leader.
            clock.set(PeriodicTestClock.utc(2026, 4, 1, 10, 20))
            let at1020 = PeriodicLaunchTests.childID("report", PeriodicTestClock.utc(2026, 4, 1, 10, 20))
            for manager in trio.managers {
                try await InProcessManagerTrio.waitFor("the 10:20 child on the survivors") { await Self.children(on: manager) == [at1005, at1015, at1020] }
            }
        } catch {
            await trio.stop()
            throw error
        }
        await trio.stop()
    }
}
