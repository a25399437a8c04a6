import ClusterModel
import Testing

@testable import Jobspec

@Suite struct JobDecoderGroupTests {
    @Test func aServiceGroupGetsNomadsServicePolicies() throws {
        let group = try #require(minimalJob().decoded().job?.groups.first)
        #expect(group.count == 1)
        #expect(group.restart == RestartPolicy(attempts: 2, interval: .seconds(1800), delay: .seconds(15), mode: .fail))
        #expect(group.reschedule == ReschedulePolicy.defaults(for: .service))
        #expect(group.update == UpdateStrategy.defaults)
        #expect(group.migrate == MigrateStrategy.defaults)
        #expect(group.ephemeralDisk == EphemeralDisk(sizeMiB: 300))
    }

    @Test func aBatchGroupGetsBatchPoliciesAndNeitherUpdateNorMigrate() throws {
        let group = try #require(minimalJob(type: "batch").decoded().job?.groups.first)
        #expect(group.restart == RestartPolicy(attempts: 3, interval: .seconds(86400), delay: .seconds(15), mode: .fail))
        #expect(group.reschedule == ReschedulePolicy.defaults(for: .batch))
        #expect(group.update == nil)
        #expect(group.migrate == nil)
    }

    @Test func systemGroupsAreNeverRescheduled() throws {
        let outcome = minimalJob(type: "system", group: { block("reschedule") { attr("attempts", 3) } }).decoded()
        let group = try #require(outcome.job?.groups.first, "\(outcome.report)")
        #expect(group.reschedule == nil)
        #expect(outcome.warning(containing: "`reschedule` has no effect on system jobs and is ignored")?.start.line == 4)
    }

    @Test func updateInABatchJobIsAWarningNotSilence() throws {
        let outcome = minimalJob(type: "batch", job: { block("update") { attr("max_parallel", 2) } }).decoded()
        #expect(outcome.job?.update == nil)
        #expect(outcome.warning(containing: "`update` has no effect on batch jobs") != nil)
    }

    /// A system job updates node by node: its `update` block (max_parallel, stagger) is kept,
    /// at the job or the group level; without one, nothing is set and every node is replaced
    /// at once.
    @Test func aSystemJobKeepsItsUpdateBlockForNodeByNodeUpdates() throws {
        let jobLevel = minimalJob(type: "system", job: { block("update") { attr("max_parallel", 2); attr("stagger", "45s") } }).decoded()
        let group = try #require(jobLevel.job?.groups.first, "\(jobLevel.report)")
        #expect(group.update?.maxParallel == 2)
        #expect(group.update?.stagger == .seconds(45))
        #expect(jobLevel.warning(containing: "`update` has no effect") == nil)
        let groupLevel = minimalJob(type: "system", group: { block("update") { attr("max_parallel", 3) } }).decoded()
        #expect(groupLevel.job?.groups.first?.update?.maxParallel == 3, "\(groupLevel.report)")
        #expect(try #require(minimalJob(type: "system").decoded().job?.groups.first).update == nil)
    }

    @Test func aPartialRestartBlockKeepsTheOtherDefaults() throws {
        let group = try #require(minimalJob(group: { block("restart") { attr("attempts", 10) } }).decoded().job?.groups.first)
        #expect(group.restart == RestartPolicy(attempts: 10, interval: .seconds(1800), delay: .seconds(15), mode: .fail))
    }

    @Test func aTaskRestartMergesOntoTheGroupsPolicy() throws {
        let outcome = minimalJob(
            group: {
                block("restart") {
                    attr("attempts", 5)
                    attr("mode", "delay")
                    attr("interval", "10m")
                }
            },
            task: { block("restart") { attr("attempts", 8) } }
        ).decoded()
        let group = try #require(outcome.job?.groups.first, "\(outcome.report)")
        #expect(group.tasks[0].restart == RestartPolicy(attempts: 8, interval: .seconds(600), delay: .seconds(15), mode: .delay))
    }

    @Test func aTaskWithoutRestartFollowsTheGroup() throws {
        let task = try #require(minimalJob().decoded().job?.groups.first?.tasks.first)
        #expect(task.restart == nil)
    }

    @Test func restartModeMustBeFailOrDelay() throws {
        let outcome = minimalJob(group: { block("restart") { attr("mode", "dealy") } }).decoded()
        let error = try #require(outcome.error(containing: "mode must be"))
        #expect(error.message == "mode must be one of \"fail\" or \"delay\", got \"dealy\"")
        #expect(error.hint == "did you mean \"delay\"?")
    }

    @Test func restartsThatCannotFitTheirIntervalAreRefused() {
        let outcome = minimalJob(group: {
            block("restart") {
                attr("attempts", 10)
                attr("delay", "1m")
                attr("interval", "5m")
            }
        }).decoded()
        #expect(outcome.error(containing: "10 restarts with a delay of 1m do not fit in an interval of 5m") != nil)
    }

    @Test func aJobUpdateAppliesToEveryGroupAndAGroupOverridesFieldByField() throws {
        let outcome = DecoderFixture {
            block("job", "web") {
                block("update") {
                    attr("max_parallel", 2)
                    attr("canary", 1)
                    attr("stagger", "60s")
                }
                block("group", "a") { block("task", "t") { attr("driver", "exec") } }
                block("group", "b") {
                    block("update") { attr("canary", 3) }
                    block("task", "t") { attr("driver", "exec") }
                }
            }
        }.decoded()
        let job = try #require(outcome.job, "\(outcome.report)")
        #expect(job.update?.maxParallel == 2)
        let first = try #require(job.groups[0].update)
        #expect(first.maxParallel == 2)
        #expect(first.canary == 1)
        #expect(first.stagger == .seconds(60))
        #expect(first.healthyDeadline == .seconds(300))
        let second = try #require(job.groups[1].update)
        #expect(second.maxParallel == 2)
        #expect(second.canary == 3)
        #expect(second.stagger == .seconds(60))
    }

    @Test func maxParallelZeroTurnsRollingUpdatesOff() throws {
        let group = try #require(minimalJob(group: { block("update") { attr("max_parallel", 0) } }).decoded().job?.groups.first)
        #expect(group.update == nil)
    }

    @Test func updateHealthCheckIsOneOfThree() throws {
        let outcome = minimalJob(group: { block("update") { attr("health_check", "check") } }).decoded()
        let error = try #require(outcome.error(containing: "health_check must be"))
        #expect(error.message == "health_check must be one of \"checks\", \"task_states\" or \"manual\", got \"check\"")
        #expect(error.hint == "did you mean \"checks\"?")
    }

    @Test func minHealthyTimeMustBeShorterThanTheDeadline() {
        let outcome = minimalJob(group: {
            block("update") {
                attr("min_healthy_time", "10m")
                attr("healthy_deadline", "5m")
            }
        }).decoded()
        #expect(outcome.error(containing: "min_healthy_time (10m) must be shorter than healthy_deadline (5m)") != nil)
    }

    @Test func rescheduleAndMigrateMergeFromJobToGroup() throws {
        let outcome = DecoderFixture {
            block("job", "web") {
                block("reschedule") {
                    attr("delay", "10s")
                    attr("delay_function", "fibonacci")
                }
                block("migrate") { attr("max_parallel", 3) }
                block("group", "g") {
                    block("reschedule") { attr("max_delay", "2h") }
                    block("migrate") { attr("health_check", "task_states") }
                    block("task", "t") { attr("driver", "exec") }
                }
            }
        }.decoded()
        let group = try #require(outcome.job?.groups.first, "\(outcome.report)")
        #expect(
            group.reschedule
                == ReschedulePolicy(
                    attempts: 0, interval: .zero, delay: .seconds(10), delayFunction: .fibonacci, maxDelay: .seconds(7200),
                    unlimited: true))
        #expect(group.migrate == MigrateStrategy(maxParallel: 3, healthCheck: .taskStates))
    }

    @Test func migrateCannotWaitForAManualHealthCheck() {
        let outcome = minimalJob(group: { block("migrate") { attr("health_check", "manual") } }).decoded()
        #expect(outcome.error(containing: "health_check must be one of \"checks\" or \"task_states\", got \"manual\"") != nil)
    }

    @Test func aNegativeCountIsAnErrorAtTheValue() throws {
        let outcome = minimalJob(group: { attr("count", -2) }).decoded()
        let error = try #require(outcome.error(containing: "count"))
        #expect(error.message == "count must be at least 0, got -2")
        #expect(error.start.line == 3)
        #expect(error.start.column == 13)
    }

    @Test func aCountWrittenAsTextIsAcceptedWhenItIsANumber() throws {
        let group = try #require(minimalJob(group: { attr("count", "3") }).decoded().job?.groups.first)
        #expect(group.count == 3)
    }

    @Test func aCountThatIsNotANumberSaysWhatItGot() throws {
        let outcome = minimalJob(group: { attr("count", "x") }).decoded()
        #expect(outcome.error(containing: "count")?.message == "count must be a whole number, got a string \"x\"")
        let fraction = minimalJob(group: { attr("count", 1.5) }).decoded()
        #expect(fraction.error(containing: "count")?.message == "count must be a whole number, got the number 1.5")
    }

    @Test func systemGroupsRunAtMostOneCopyPerNode() {
        let outcome = minimalJob(type: "system", group: { attr("count", 3) }).decoded()
        #expect(outcome.error(containing: "count must be 0 or 1 in a system job, got 3") != nil)
    }

    @Test func aGroupWithNoTasksIsFine() throws {
        let outcome = DecoderFixture {
            block("job", "web") { block("group", "empty") }
        }.decoded()
        #expect(outcome.job?.groups.map(\.name) == ["empty"])
        #expect(outcome.diagnostics.isEmpty, "\(outcome.report)")
    }

    @Test func twoGroupsWithOneNameAreAnErrorAtTheSecond() throws {
        let outcome = DecoderFixture {
            block("job", "web") {
                block("group", "app")
                block("group", "app")
            }
        }.decoded()
        let error = try #require(outcome.error(containing: "group \"app\" is declared twice in job \"web\""))
        #expect(error.start.line == 4)
    }

    @Test func twoTasksWithOneNameInAGroupAreAnError() throws {
        let outcome = minimalJob(group: { block("task", "server") { attr("driver", "exec") } }).decoded()
        let error = try #require(outcome.error(containing: "task \"server\" is declared twice in group \"app\""))
        #expect(error.start.line == 6)
        #expect(error.hint == "the first is at line 3")
    }

    @Test func aJobLevelTaskBecomesAGroupOfItsOwnInFileOrder() throws {
        let outcome = DecoderFixture {
            block("job", "web") {
                block("task", "outside") { attr("driver", "java") }
                block("group", "inside") { block("task", "t") { attr("driver", "exec") } }
            }
        }.decoded()
        let job = try #require(outcome.job, "\(outcome.report)")
        #expect(job.groups.map(\.name) == ["outside", "inside"])
        #expect(job.groups[0].count == 1)
        #expect(job.groups[0].tasks.map(\.name) == ["outside"])
        #expect(job.groups[0].restart == RestartPolicy.defaults(for: .service))
    }

    @Test func aJobLevelTaskClashesWithAGroupOfTheSameName() {
        let outcome = DecoderFixture {
            block("job", "web") {
                block("task", "app") { attr("driver", "java") }
                block("group", "app")
            }
        }.decoded()
        #expect(outcome.error(containing: "group \"app\" is declared twice") != nil)
    }

    @Test func ephemeralDiskIsReadAndASecondOneIsAnErrorAtTheSecond() throws {
        let decoded = minimalJob(group: {
            block("ephemeral_disk") {
                attr("size", 500)
                attr("sticky", true)
                attr("migrate", true)
            }
        }).decoded()
        #expect(decoded.job?.groups.first?.ephemeralDisk == EphemeralDisk(sizeMiB: 500, sticky: true, migrate: true))

        let twice = minimalJob(group: {
            block("ephemeral_disk") { attr("size", 500) }
            block("ephemeral_disk") { attr("size", 100) }
        }).decoded()
        let error = try #require(twice.error(containing: "only one ephemeral_disk block is allowed in group"))
        #expect(error.start.line == 6)
        #expect(error.hint == "the first is at line 3")
    }

    @Test func clientDisconnectTimesAreRead() throws {
        let group = try #require(
            minimalJob(group: {
                attr("shutdown_delay", "14s")
                attr("stop_after_client_disconnect", "120s")
                attr("max_client_disconnect", "120h")
            }).decoded().job?.groups.first)
        #expect(group.shutdownDelay == .seconds(14))
        #expect(group.stopAfterClientDisconnect == .seconds(120))
        #expect(group.maxClientDisconnect == .seconds(120 * 3600))
    }

    @Test func volumesAndScalingAreAcceptedWithWarnings() throws {
        let outcome = minimalJob(group: {
            block("volume", "data") { attr("type", "host") }
            block("scaling") { attr("max", 10) }
        }).decoded()
        #expect(outcome.job != nil, "\(outcome.report)")
        #expect(outcome.warning(containing: "`volume` block is not supported by Roost yet and is ignored")?.start.line == 3)
        #expect(outcome.warning(containing: "`scaling` block") != nil)
    }
}
