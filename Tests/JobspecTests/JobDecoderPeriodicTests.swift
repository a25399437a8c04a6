import ClusterModel
import Testing

@testable import Jobspec

@Suite struct JobDecoderPeriodicTests {
    @Test func aPeriodicBatchJobKeepsItsSchedule() throws {
        let outcome = minimalJob(type: "batch", job: {
            block("periodic") {
                attr("cron", "*/15 * * * *")
                attr("prohibit_overlap", true)
                attr("time_zone", "Europe/Minsk")
            }
        }).decoded()
        let job = try #require(outcome.job, "\(outcome.report)")
        #expect(job.periodic == PeriodicConfig(specs: ["*/15 * * * *"], prohibitOverlap: true, timeZone: "Europe/Minsk"))
        #expect(outcome.diagnostics.isEmpty, "\(outcome.report)")
    }

    @Test func severalSchedulesGoInCrons() throws {
        let job = try #require(
            minimalJob(type: "batch", job: {
                block("periodic") {
                    attr("crons", ["0 * * * *", "@daily"])
                    attr("enabled", false)
                }
            }).decoded().job)
        #expect(job.periodic == PeriodicConfig(specs: ["0 * * * *", "@daily"], enabled: false))
        #expect(job.periodic?.timeZone == "UTC")
    }

    @Test func cronAndCronsTogetherAreAnError() {
        let outcome = minimalJob(type: "batch", job: {
            block("periodic") {
                attr("cron", "0 * * * *")
                attr("crons", ["5 * * * *"])
            }
        }).decoded()
        #expect(outcome.error(containing: "set cron or crons, not both") != nil)
    }

    @Test func aPeriodicBlockNeedsASchedule() {
        let outcome = minimalJob(type: "batch", job: { block("periodic") { attr("prohibit_overlap", true) } }).decoded()
        #expect(outcome.error(containing: "periodic needs a schedule") != nil)
    }

    @Test func aCronWithAStrayCharacterIsAnError() throws {
        let outcome = minimalJob(type: "batch", job: { block("periodic") { attr("cron", "*/5 * * * $") } }).decoded()
        let error = try #require(outcome.error(containing: "cron expression"))
        #expect(error.message == "cron expression \"*/5 * * * $\" has an unexpected character \"$\" in field \"$\"")
        #expect(error.start.line == 4)
    }

    @Test func aCronWithTooFewFieldsIsAWarningBecauseNomadParsesIt() throws {
        let outcome = minimalJob(type: "batch", job: { block("periodic") { attr("cron", "*/5 * * *") } }).decoded()
        #expect(outcome.job != nil)
        let warning = try #require(outcome.warning(containing: "has 4 fields"))
        #expect(warning.hint?.contains("never be launched") == true)
    }

    @Test func anUnknownCronShorthandIsSuggested() {
        let outcome = minimalJob(type: "batch", job: { block("periodic") { attr("cron", "@dayly") } }).decoded()
        #expect(outcome.error(containing: "unknown cron shorthand \"@dayly\"")?.hint == "did you mean \"@daily\"?")
    }

    @Test func periodicOnAServiceJobIsAWarning() {
        let outcome = minimalJob(job: { block("periodic") { attr("cron", "0 * * * *") } }).decoded()
        #expect(outcome.job?.periodic != nil)
        #expect(outcome.warning(containing: "periodic only launches batch and sysbatch jobs") != nil)
    }

    @Test func parameterizedJobsListTheirMeta() throws {
        let job = try #require(
            minimalJob(type: "batch", job: {
                block("parameterized") {
                    attr("payload", "required")
                    attr("meta_required", ["foo", "bar"])
                    attr("meta_optional", ["baz"])
                }
            }).decoded().job)
        #expect(
            job.parameterized == ParameterizedConfig(payload: .required, requiredMeta: ["foo", "bar"], optionalMeta: ["baz"]))
    }

    @Test func parameterizedPayloadIsOneOfThree() {
        let outcome = minimalJob(type: "batch", job: { block("parameterized") { attr("payload", "requird") } }).decoded()
        #expect(outcome.error(containing: "payload must be one of \"optional\", \"required\" or \"forbidden\"")?.hint == "did you mean \"required\"?")
    }
}
