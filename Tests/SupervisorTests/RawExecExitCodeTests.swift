import ClusterModel
import Foundation
import Testing

@testable import Supervisor

/// A raw_exec task's exit code must be its own, also when the agent's orphan reaping looks at
/// the task's cgroup at the moment the task starts (under load that happens; this test makes
/// it happen all the time by running the orphan adoption in a loop).
@Suite(.serialized, .enabled(if: SupervisorHarness.isRoot, "needs root: the race is between a task's cgroup and the orphan reaper"))
struct RawExecExitCodeTests {
    @Test("a short-lived raw_exec task reports its real exit code every time, never 255, while orphans are adopted")
    func exitCodesWhileAdopting() async throws {
        try await SupervisorHarness.run { harness in
            let supervisor = harness.supervisor
            let adopting = Task {
                // The housekeeping's work, back to back instead of once a second.
                while !Task.isCancelled { await supervisor.adoptTaskProcesses() }
            }
            defer { adopting.cancel() }
            var wrong: [String] = []
            for round in 0..<20 {
                let allocations = (0..<10).map { index in
                    let code = 1 + (round * 10 + index) % 100
                    return (code, SupervisorHarness.allocation(tasks: [SupervisorHarness.task("quick", "/bin/sh", ["-c", "exit \(code)"])]))
                }
                for (_, allocation) in allocations { await supervisor.run(allocation) }
                for (code, allocation) in allocations {
                    let final = await harness.waitFor(allocation.id, "the quick task ends") { $0.isFinished }
                    let events = final?.taskStates["quick"]?.events.map(\.message) ?? []
                    if !events.contains(where: { $0.contains("Exit Code: \(code)") }) { wrong.append("expected \(code): \(events)") }
                    await supervisor.forget(allocation.id)
                }
            }
            #expect(wrong.isEmpty, "\(wrong.count) of 200 tasks reported another exit code: \(wrong.prefix(5))")
        }
    }
}
