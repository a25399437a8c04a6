import ClusterModel
import Testing

@testable import Supervision

/// A restart asked for by a service check (`check_restart`) goes through the task's normal
/// kill and restart path and counts against its restart policy.
@Suite struct HealthRestartRequestTests {
    static let policy = RestartPolicy(attempts: 1, interval: .seconds(300), delay: .seconds(2), mode: .fail)

    func runningTask() -> (TaskSupervisionInstance, TestClock) {
        var task = TaskSupervisionInstance(
            settings: TaskSupervisionSettings(taskName: "web", jobType: .service, restartPolicy: Self.policy, killTimeout: .seconds(5)))
        let clock = TestClock()
        _ = task.start(now: clock.now)
        _ = task.spawned(pid: 100, now: clock.now)
        return (task, clock)
    }

    @Test func aRequestedRestartKillsTheTaskThenStartsItAgainAfterTheRestartDelay() throws {
        var (task, clock) = runningTask()
        let kill = task.restartRequested(message: "Check \"alive\" failed", now: clock.now)
        #expect(kill.contains { if case .signal = $0 { true } else { false } })
        #expect(task.state.events.last?.kind == .restartSignaled)
        #expect(task.state.events.last?.message == "Check \"alive\" failed")
        clock.advance(.seconds(1))
        let exited = task.exited(TaskExit(code: 143, signal: 15), now: clock.now)
        #expect(!task.isDead, "the task is not stopped for good")
        #expect(task.state.state == .pending)
        #expect(task.state.events.last?.kind == .restarting)
        let timer = try #require(exited.compactMap { directive -> (TaskTimer, Duration)? in
            if case .scheduleTimer(let timer, let delay) = directive { return (timer, delay) }
            return nil
        }.first)
        #expect(timer.1 == .seconds(2))
        clock.advance(.seconds(2))
        #expect(task.timerFired(timer.0, now: clock.now) == [.spawn])
        #expect(task.state.restarts == 1)
    }

    @Test func requestedRestartsUseUpTheRestartPolicy() throws {
        var (task, clock) = runningTask()
        _ = task.restartRequested(message: "one", now: clock.now)
        let exited = task.exited(TaskExit(code: 143, signal: 15), now: clock.now)
        #expect(task.restartRequested(message: "ignored", now: clock.now).isEmpty, "no restart while waiting to restart")
        let timer = try #require(exited.compactMap { directive -> TaskTimer? in
            if case .scheduleTimer(let timer, _) = directive { return timer }
            return nil
        }.first)
        clock.advance(.seconds(2))
        _ = task.timerFired(timer, now: clock.now)
        _ = task.spawned(pid: 101, now: clock.now)
        _ = task.restartRequested(message: "two", now: clock.now)
        _ = task.exited(TaskExit(code: 143, signal: 15), now: clock.now)
        #expect(task.isDead, "the second restart exceeds attempts = 1 in mode fail")
        #expect(task.state.failed)
        #expect(task.state.events.last?.kind == .notRestarting)
    }

    @Test func aStopDuringARequestedRestartEndsTheTaskInsteadOfRestartingIt() {
        var (task, clock) = runningTask()
        _ = task.restartRequested(message: "check failed", now: clock.now)
        #expect(task.kill(reason: .stopRequested, now: clock.now).isEmpty, "the kill is already under way")
        _ = task.exited(TaskExit(code: 143, signal: 15), now: clock.now)
        #expect(task.isDead)
        #expect(!task.state.failed)
        #expect(task.state.events.last?.kind == .killed)
    }

    @Test func aRestartRequestIsIgnoredUnlessTheTaskRuns() {
        var task = TaskSupervisionInstance(
            settings: TaskSupervisionSettings(taskName: "web", jobType: .service, restartPolicy: Self.policy))
        let clock = TestClock()
        #expect(task.restartRequested(message: "x", now: clock.now).isEmpty)
        _ = task.start(now: clock.now)
        #expect(task.restartRequested(message: "x", now: clock.now).isEmpty, "still starting")
    }
}
