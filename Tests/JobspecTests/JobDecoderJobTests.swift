import ClusterModel
import Testing

@testable import Jobspec

@Suite struct JobDecoderJobTests {
    @Test func aJobWithOnlyANameGetsNomadsDefaults() throws {
        let outcome = DecoderFixture {
            block("job", "web") {
                block("group", "app") {
                    block("task", "server") { attr("driver", "raw_exec") }
                }
            }
        }.decoded()
        let job = try #require(outcome.job, "\(outcome.report)")
        #expect(job.id == "web")
        #expect(job.name == "web")
        #expect(job.type == .service)
        #expect(job.priority == 50)
        #expect(job.datacenters == ["*"])
        #expect(job.region == "global")
        #expect(job.namespace == "default")
        #expect(job.nodePool == "default")
        #expect(!job.allAtOnce)
        #expect(outcome.diagnostics.isEmpty, "\(outcome.report)")
    }

    @Test func everyJobSettingIsRead() throws {
        let outcome = minimalJob(type: "batch") {
            attr("name", "Web Site")
            attr("priority", 80)
            attr("all_at_once", true)
            attr("datacenters", ["dc1", "dc2"])
            attr("region", "eu")
            attr("namespace", "prod")
            attr("node_pool", "gpu")
        }.decoded()
        let job = try #require(outcome.job, "\(outcome.report)")
        #expect(job.name == "Web Site")
        #expect(job.type == .batch)
        #expect(job.priority == 80)
        #expect(job.allAtOnce)
        #expect(job.datacenters == ["dc1", "dc2"])
        #expect(job.region == "eu")
        #expect(job.namespace == "prod")
        #expect(job.nodePool == "gpu")
    }

    @Test func anIDAttributeOverridesTheLabelAndTheNameDefaultsToIt() throws {
        let job = try #require(
            DecoderFixture {
                block("job", "default") { attr("id", "job1") }
            }.decoded().job)
        #expect(job.id == "job1")
        #expect(job.name == "job1")
    }

    @Test func aMisspelledJobTypeIsAnErrorWithASuggestion() throws {
        let outcome = minimalJob(type: "servce").decoded()
        #expect(outcome.job == nil)
        let error = try #require(outcome.error(containing: "type must be"))
        #expect(error.message == "type must be one of \"service\", \"batch\", \"system\" or \"sysbatch\", got \"servce\"")
        #expect(error.hint == "did you mean \"service\"?")
        #expect(error.start.line == 2)
    }

    @Test func priorityOutsideOneToAHundredIsAnError() throws {
        let outcome = minimalJob(job: { attr("priority", 150) }).decoded()
        let error = try #require(outcome.error(containing: "priority"))
        #expect(error.message == "priority must be between 1 and 100, got 150")
    }

    @Test func aFileWithoutAJobSaysWhatToAdd() throws {
        let outcome = DecoderFixture { block("group", "app") }.decoded()
        #expect(outcome.job == nil)
        #expect(outcome.error(containing: "unknown block \"group\"") != nil)
        let missing = try #require(outcome.error(containing: "declares no job"))
        #expect(missing.hint == "add a job \"name\" { … } block")
    }

    @Test func aSecondJobBlockIsAnErrorAtTheSecond() throws {
        let outcome = DecoderFixture {
            block("job", "a")
            block("job", "b")
        }.decoded()
        let error = try #require(outcome.error(containing: "only one job block"))
        #expect(error.start.line == 3)
        #expect(error.hint == "the first is at line 1")
    }

    @Test func aJobNeedsExactlyOneLabel() throws {
        let missing = DecoderFixture { block("job") }.decoded()
        #expect(missing.error(containing: "job block needs a label, its name")?.hint == "write job \"name\" { … }")
        let extra = DecoderFixture { block("job", "a", "b") }.decoded()
        #expect(extra.error(containing: "job block takes one label (its name), got 2") != nil)
    }

    @Test func aJobIDWithASpaceIsRefused() {
        let outcome = DecoderFixture { block("job", "my job") }.decoded()
        #expect(outcome.error(containing: "must not contain spaces") != nil)
    }

    @Test func aMisspelledTopLevelBlockSuggestsJob() throws {
        let outcome = DecoderFixture { block("jbo", "web") }.decoded()
        let error = try #require(outcome.error(containing: "unknown block \"jbo\""))
        #expect(error.hint == "did you mean \"job\"?")
    }

    @Test func aJobWithoutGroupsDecodesWithAWarning() throws {
        let outcome = DecoderFixture { block("job", "empty") }.decoded()
        #expect(outcome.job != nil)
        let warning = try #require(outcome.warning(containing: "has no groups"))
        #expect(warning.message == "job \"empty\" has no groups, so it runs nothing")
    }

    @Test func metaNumbersAndBoolsBecomeText() throws {
        let outcome = minimalJob(job: {
            block("meta") {
                attr("owner", "ops")
                attr("interval", 10)
                attr("ratio", 0.5)
                attr("enabled", true)
            }
        }).decoded()
        let job = try #require(outcome.job, "\(outcome.report)")
        #expect(job.meta == ["owner": "ops", "interval": "10", "ratio": "0.5", "enabled": "true"])
    }

    @Test func metaMayBeWrittenAsAMapAttribute() throws {
        let job = try #require(minimalJob(job: { attr("meta", ["key.with.dots": "v"]) }).decoded().job)
        #expect(job.meta == ["key.with.dots": "v"])
    }

    @Test func metaWrittenTwiceIsAnError() throws {
        let outcome = minimalJob(job: {
            attr("meta", ["a": "1"])
            block("meta") { attr("b", "2") }
        }).decoded()
        let error = try #require(outcome.error(containing: "meta is set both as an attribute and as a block"))
        #expect(error.start.line == 3)
    }

    @Test func metaValuesMustBeScalars() {
        let outcome = minimalJob(job: {
            block("meta") { attr("tags", ["a", "b"]) }
        }).decoded()
        #expect(outcome.error(containing: "meta values must be strings, numbers or bools, but \"tags\" is a list of 2 items") != nil)
    }

    @Test func tokensRoostDoesNotUseAreWarningsNotErrors() throws {
        let outcome = minimalJob(job: {
            attr("consul_token", "abc")
            attr("vault_token", "def")
            block("vault") { attr("policies", ["p"]) }
        }).decoded()
        #expect(outcome.job != nil, "\(outcome.report)")
        #expect(outcome.warning(containing: "`consul_token` is not supported by Roost yet and is ignored")?.start.line == 2)
        #expect(outcome.warning(containing: "`vault_token`") != nil)
        #expect(outcome.warning(containing: "`vault` block is not supported by Roost yet and is ignored")?.start.line == 4)
    }

    @Test func aBlockWrittenAsAnAttributeIsExplained() throws {
        let outcome = minimalJob(job: { attr("update", ["max_parallel": "2"]) }).decoded()
        let error = try #require(outcome.error(containing: "update is a block in job, not an attribute"))
        #expect(error.hint == "write update { … } without the =")
    }

    @Test func anAttributeWrittenAsABlockIsExplained() throws {
        let outcome = minimalJob(job: { block("region") }).decoded()
        let error = try #require(outcome.error(containing: "region is an attribute in job, not a block"))
        #expect(error.hint == "write region = …")
    }

    @Test func everyProblemInAFileIsReportedNotJustTheFirst() {
        let outcome = minimalJob(
            type: "servce",
            job: { attr("priority", 0) },
            group: { attr("count", -1) },
            task: { attr("kill_timeout", "5 seconds") }
        ).decoded()
        #expect(outcome.errors.count == 4, "\(outcome.report)")
        #expect(outcome.errors.map(\.start.line) == [2, 3, 5, 8])
    }
}
