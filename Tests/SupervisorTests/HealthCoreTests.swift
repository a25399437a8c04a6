import ClusterModel
import Testing

@testable import Supervisor

/// The pure health core on a simulated clock: probing on the interval, timeouts, statuses,
/// check_restart, and when the deployment verdict is decided.
@Suite struct HealthCoreTests {
    typealias F = HealthFixtures

    /// Runs the core's due work at `now` and answers every probe under way with `outcome`.
    private static func answerDue(
        _ core: inout AllocationHealthInstance, at now: Timestamp, with outcome: CheckOutcome
    ) -> [HealthDirective] {
        var all = core.advance(now: now).filter { if case .probe = $0 { false } else { true } }
        for index in core.checks.indices {
            if let attempt = core.checks[index].inFlight?.attempt {
                all += core.probeFinished(check: index, attempt: attempt, outcome: outcome, now: now)
            }
        }
        return all.filter { if case .probe = $0 { false } else { true } }
    }

    @Test func aCheckProbesAtOnceWhenItsTaskStartsThenEveryInterval() {
        var core = AllocationHealthInstance(allocation: F.allocation(checks: [F.check()]), receivedAt: F.at(0))
        #expect(core.advance(now: F.at(0)).isEmpty, "nothing runs before the task does")
        let first = core.tasksChanged(["web": F.running(since: F.at(1))], now: F.at(1))
        #expect(first == [.probe(check: 0, attempt: 1)])
        _ = core.probeFinished(check: 0, attempt: 1, outcome: CheckOutcome(.passing, "HTTP 200"), now: F.at(1.2))
        #expect(core.advance(now: F.at(10.9)).isEmpty, "the next probe waits for the interval")
        #expect(core.nextWakeup == F.at(10) || core.nextWakeup == F.at(11))
        #expect(core.advance(now: F.at(11)) == [.probe(check: 0, attempt: 2)])
    }

    @Test func aProbeThatOverrunsItsTimeoutIsCriticalAndItsLateAnswerIsIgnored() {
        var core = AllocationHealthInstance(allocation: F.allocation(checks: [F.check(timeout: .seconds(2))]), receivedAt: F.at(0))
        _ = core.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        #expect(core.nextWakeup == F.at(2), "the core wakes up for the timeout")
        _ = core.advance(now: F.at(2))
        #expect(core.checks[0].status == .critical)
        #expect(core.checks[0].output == "timed out after 2s")
        _ = core.probeFinished(check: 0, attempt: 1, outcome: CheckOutcome(.passing, "HTTP 200"), now: F.at(3))
        #expect(core.checks[0].status == .critical, "the answer of a timed-out probe does not count")
    }

    @Test func aCheckStartsFromItsInitialStatusAndReportsTheLastOutput() {
        var core = AllocationHealthInstance(
            allocation: F.allocation(checks: [F.check(initialStatus: "warning"), F.check("other")]), receivedAt: F.at(0))
        #expect(core.checkStatusesByTask["web"]?.map(\.status) == [.warning, .pending])
        _ = core.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        _ = Self.answerDue(&core, at: F.at(0), with: CheckOutcome(.critical, "HTTP 500: boom"))
        let statuses = core.checkStatusesByTask["web"] ?? []
        #expect(statuses.map(\.status) == [.critical, .critical])
        #expect(statuses.first?.output == "HTTP 500: boom")
        #expect(statuses.first?.since == F.at(0))
    }

    @Test func aSteadyCheckKeepsItsSinceSoItsResultsAreNotRewrittenEveryInterval() {
        var core = AllocationHealthInstance(allocation: F.allocation(checks: [F.check()]), receivedAt: F.at(0))
        _ = core.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        _ = Self.answerDue(&core, at: F.at(0), with: CheckOutcome(.passing, "HTTP 200"))
        let first = core.checkStatusesByTask
        _ = Self.answerDue(&core, at: F.at(10), with: CheckOutcome(.passing, "HTTP 200"))
        #expect(core.checkStatusesByTask == first)
        _ = Self.answerDue(&core, at: F.at(20), with: CheckOutcome(.critical, "HTTP 500"))
        #expect(core.checkStatusesByTask["web"]?.first?.since == F.at(20))
    }

    @Test func failuresBeforeCriticalAndSuccessBeforePassingHoldTheStatusBack() {
        var core = AllocationHealthInstance(
            allocation: F.allocation(checks: [F.check(successBeforePassing: 2, failuresBeforeCritical: 2)]), receivedAt: F.at(0))
        _ = core.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        _ = Self.answerDue(&core, at: F.at(0), with: CheckOutcome(.passing, "ok"))
        #expect(core.checks[0].status == .pending)
        _ = Self.answerDue(&core, at: F.at(10), with: CheckOutcome(.passing, "ok"))
        #expect(core.checks[0].status == .passing)
        _ = Self.answerDue(&core, at: F.at(20), with: CheckOutcome(.critical, "down"))
        #expect(core.checks[0].status == .passing, "one failure is not enough")
        _ = Self.answerDue(&core, at: F.at(30), with: CheckOutcome(.critical, "down"))
        #expect(core.checks[0].status == .critical)
    }

    @Test func checkRestartAsksForARestartAfterLimitFailuresInARowPastTheGrace() {
        let restart = CheckSpec.CheckRestart(limit: 3, grace: .seconds(15))
        var core = AllocationHealthInstance(allocation: F.allocation(checks: [F.check(restart: restart)]), receivedAt: F.at(0))
        _ = core.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        var restarts: [HealthDirective] = []
        for second in stride(from: 0.0, through: 40, by: 10) {
            restarts += Self.answerDue(&core, at: F.at(second), with: CheckOutcome(.critical, "HTTP 500"))
        }
        // Failures at 0 and 10 fall in the grace; 20, 30, 40 count: the third asks.
        #expect(restarts.count == 1)
        guard case .restart(let task, let message)? = restarts.first else { return }
        #expect(task == "web")
        #expect(message.contains("\"alive\"") && message.contains("HTTP 500"))
        #expect(core.advance(now: F.at(50)).isEmpty, "no probing while the restart is under way")
        // The task comes back: the check starts over, with a fresh grace.
        let again = core.tasksChanged(["web": F.running(since: F.at(55), restarts: 1)], now: F.at(55))
        #expect(again == [.probe(check: 0, attempt: 6)])
        #expect(core.checks[0].status == .pending)
    }

    @Test func aPassingResultResetsTheCheckRestartCountAndWarningsCanBeIgnored() {
        let restart = CheckSpec.CheckRestart(limit: 2, grace: .zero, ignoreWarnings: true)
        var core = AllocationHealthInstance(allocation: F.allocation(checks: [F.check(restart: restart)]), receivedAt: F.at(0))
        _ = core.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        var restarts: [HealthDirective] = []
        restarts += Self.answerDue(&core, at: F.at(0), with: CheckOutcome(.critical, "down"))
        restarts += Self.answerDue(&core, at: F.at(10), with: CheckOutcome(.passing, "up"))
        restarts += Self.answerDue(&core, at: F.at(20), with: CheckOutcome(.critical, "down"))
        restarts += Self.answerDue(&core, at: F.at(30), with: CheckOutcome(.warning, "slow"))
        restarts += Self.answerDue(&core, at: F.at(40), with: CheckOutcome(.warning, "slow"))
        #expect(restarts.isEmpty)
        restarts += Self.answerDue(&core, at: F.at(50), with: CheckOutcome(.critical, "down"))
        restarts += Self.answerDue(&core, at: F.at(60), with: CheckOutcome(.critical, "down"))
        #expect(restarts.count == 1)
    }

    @Test func withChecksTheVerdictIsHealthyOnceEverythingPassedForMinHealthyTime() {
        var core = AllocationHealthInstance(allocation: F.allocation(checks: [F.check()]), receivedAt: F.at(0))
        _ = core.tasksChanged(["web": F.running(since: F.at(1))], now: F.at(1))
        #expect(core.verdict == nil)
        _ = core.probeFinished(check: 0, attempt: 1, outcome: CheckOutcome(.passing, "HTTP 200"), now: F.at(2))
        _ = Self.answerDue(&core, at: F.at(11), with: CheckOutcome(.passing, "HTTP 200"))
        #expect(core.verdict == nil, "passing since 2s only")
        #expect(core.nextWakeup == F.at(12), "the core wakes up when min_healthy_time is over")
        _ = core.advance(now: F.at(12))
        #expect(core.verdict?.healthy == true)
        #expect(core.verdict?.timestamp == F.at(12))
        #expect(core.verdict?.description == "")
    }

    @Test func aFailingCheckInsideMinHealthyTimeRestartsTheHealthyTimer() {
        var core = AllocationHealthInstance(allocation: F.allocation(checks: [F.check(interval: .seconds(2))]), receivedAt: F.at(0))
        _ = core.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        for second in stride(from: 0.0, through: 6, by: 2) {
            _ = Self.answerDue(&core, at: F.at(second), with: CheckOutcome(.passing, "ok"))
        }
        _ = Self.answerDue(&core, at: F.at(8), with: CheckOutcome(.critical, "HTTP 503"))
        #expect(core.verdict == nil)
        for second in stride(from: 10.0, through: 18, by: 2) {
            _ = Self.answerDue(&core, at: F.at(second), with: CheckOutcome(.passing, "ok"))
        }
        _ = core.advance(now: F.at(19.9))
        #expect(core.verdict == nil, "healthy since 10s only")
        _ = Self.answerDue(&core, at: F.at(20), with: CheckOutcome(.passing, "ok"))
        #expect(core.verdict?.healthy == true)
        #expect(core.verdict?.timestamp == F.at(20))
    }

    @Test func aCheckThatNeverPassesMakesTheAllocationUnhealthyAtTheHealthyDeadline() {
        var core = AllocationHealthInstance(allocation: F.allocation(checks: [F.check()]), receivedAt: F.at(0))
        _ = core.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        for second in stride(from: 0.0, to: 60, by: 10) {
            _ = Self.answerDue(&core, at: F.at(second), with: CheckOutcome(.critical, "HTTP 500: broken"))
            #expect(core.verdict == nil)
        }
        _ = core.advance(now: F.at(60))
        #expect(core.verdict?.healthy == false)
        #expect(core.verdict?.timestamp == F.at(60))
        #expect(core.verdict?.description.contains("check \"alive\" of service \"web\" is critical: HTTP 500: broken") == true)
        #expect(core.verdict?.description.contains("healthy deadline of 1m") == true)
    }

    @Test func taskStatesModeIgnoresChecksAndAFailedTaskIsUnhealthyAtOnce() {
        let update = UpdateStrategy(healthCheck: .taskStates, minHealthyTime: .seconds(5), healthyDeadline: .seconds(60))
        var healthy = AllocationHealthInstance(allocation: F.allocation(checks: [F.check()], update: update), receivedAt: F.at(0))
        _ = healthy.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        _ = Self.answerDue(&healthy, at: F.at(0), with: CheckOutcome(.critical, "down"))
        _ = healthy.advance(now: F.at(5))
        #expect(healthy.verdict?.healthy == true)

        var failing = AllocationHealthInstance(allocation: F.allocation(checks: [], update: update), receivedAt: F.at(0))
        _ = failing.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        _ = failing.tasksChanged(["web": TaskState(state: .dead, failed: true)], now: F.at(3))
        #expect(failing.verdict?.healthy == false)
        #expect(failing.verdict?.description == "Task \"web\" failed")
        #expect(failing.verdict?.timestamp == F.at(3))
    }

    @Test func theVerdictIsDecidedOnceAndNeverChanges() {
        let update = UpdateStrategy(healthCheck: .taskStates, minHealthyTime: .seconds(5), healthyDeadline: .seconds(60))
        var core = AllocationHealthInstance(allocation: F.allocation(checks: [], update: update), receivedAt: F.at(0))
        _ = core.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        _ = core.advance(now: F.at(5))
        let decided = core.verdict
        #expect(decided?.healthy == true)
        _ = core.tasksChanged(["web": TaskState(state: .dead, failed: true)], now: F.at(7))
        _ = core.advance(now: F.at(100))
        #expect(core.verdict == decided)
    }

    @Test func batchJobsAndManualHealthGetNoVerdict() {
        var batch = AllocationHealthInstance(allocation: F.allocation(checks: [], type: .batch), receivedAt: F.at(0))
        #expect(!batch.decidesHealth)
        _ = batch.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        _ = batch.advance(now: F.at(1000))
        #expect(batch.verdict == nil)
        let manual = AllocationHealthInstance(
            allocation: F.allocation(checks: [], update: UpdateStrategy(healthCheck: .manual)), receivedAt: F.at(0))
        #expect(!manual.decidesHealth)
    }

    @Test func aCheckWhosePortIsNotInTheNetworkIsCriticalWithAHint() {
        var check = F.check()
        check.portLabel = "admin"
        var core = AllocationHealthInstance(allocation: F.allocation(checks: [check]), receivedAt: F.at(0))
        let directives = core.tasksChanged(["web": F.running(since: F.at(0))], now: F.at(0))
        #expect(directives.isEmpty, "nothing to probe")
        #expect(core.checks[0].status == .critical)
        #expect(core.checks[0].output.contains("add network { port \"admin\" {} }"))
    }

    @Test func httpAndScriptResultsAreReadTheWayNomadReadsThem() {
        #expect(CheckOutcome.http(status: 204, body: "").status == .passing)
        #expect(CheckOutcome.http(status: 429, body: "").status == .warning)
        #expect(CheckOutcome.http(status: 500, body: " down \n").output == "HTTP 500: down")
        #expect(CheckOutcome.script(exitCode: 0, signal: nil, output: "").status == .passing)
        #expect(CheckOutcome.script(exitCode: 1, signal: nil, output: "meh").status == .warning)
        #expect(CheckOutcome.script(exitCode: 2, signal: nil, output: "").output == "exit code 2")
        #expect(CheckOutcome.script(exitCode: 137, signal: 9, output: "").status == .critical)
    }

    @Test func aLongOutputIsCutToTheBound() {
        let status = ServiceCheckStatus(name: "x", serviceName: "s", type: "http", status: .critical, output: String(repeating: "é", count: 1000))
        #expect(status.output.utf8.count <= ServiceCheckStatus.maximumOutputBytes)
        #expect(status.output.hasSuffix("..."))
    }
}
