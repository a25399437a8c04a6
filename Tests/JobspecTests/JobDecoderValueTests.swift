import ClusterModel
import Testing

@testable import Jobspec

@Suite struct JobDecoderValueTests {
    @Test func numbersWrittenAsTextAreNumbers() throws {
        let outcome = minimalJob(task: {
            block("resources") {
                attr("cpu", "250")
                attr("memory", "1e3")
            }
        }).decoded()
        let resources = try #require(outcome.job?.groups.first?.tasks.first?.resources, "\(outcome.report)")
        #expect(resources.cpuMHz == 250)
        #expect(resources.memoryMiB == 1000)
    }

    @Test func onlyDecimalTextCountsAsANumber() {
        for text in ["0x10", "nan", "inf", "1_000", ""] {
            let outcome = minimalJob(group: { attr("count", text) }).decoded()
            #expect(outcome.error(containing: "count must be a whole number") != nil, "\(text) was accepted")
        }
    }

    @Test func boolsWrittenAsTextAreBools() throws {
        let task = try #require(minimalJob(task: { attr("leader", "true") }).decoded().job?.groups.first?.tasks.first)
        #expect(task.leader)
    }

    @Test func aWrongKindSaysWhatWasExpectedAndWhatWasFound() {
        let outcome = minimalJob(
            job: {
                attr("datacenters", "dc1")
                attr("all_at_once", "yes")
                attr("region", ["eu"])
            },
            task: { attr("kill_timeout", ["5s"]) }
        ).decoded()
        #expect(outcome.error(containing: "datacenters")?.message == "datacenters must be a list of strings, got a string \"dc1\"")
        #expect(outcome.error(containing: "datacenters")?.hint == "write [\"dc1\"]")
        #expect(outcome.error(containing: "all_at_once")?.message == "all_at_once must be true or false, got a string \"yes\"")
        #expect(outcome.error(containing: "region")?.message == "region must be a string, got a list of 1 item")
        #expect(outcome.error(containing: "kill_timeout")?.message == "kill_timeout must be a duration, got a list of 1 item")
    }

    @Test func aNullValueLeavesTheDefault() throws {
        let job = try #require(minimalJob(job: { attr("priority", DynamicValue.null) }).decoded().job)
        #expect(job.priority == 50)
    }

    @Test func numbersInListsOfStringsBecomeText() throws {
        let job = try #require(
            minimalJob(job: { attr("datacenters", DynamicValue.list([.string("dc"), .number(2)])) }).decoded().job)
        #expect(job.datacenters == ["dc", "2"])
    }

    @Test func anEmptyDatacenterListMeansEveryDatacenter() throws {
        let job = try #require(minimalJob(job: { attr("datacenters", [String]()) }).decoded().job)
        #expect(job.datacenters == ["*"])
    }

    @Test func aHugeNumberIsTooLargeRatherThanATrap() {
        let outcome = minimalJob(group: { attr("count", 1e30) }).decoded()
        #expect(outcome.error(containing: "count is too large") != nil)
    }

    @Test func longValuesAreShortenedInMessages() throws {
        let outcome = minimalJob(type: String(repeating: "x", count: 100)).decoded()
        let error = try #require(outcome.error(containing: "type must be"))
        #expect(error.message.hasSuffix("got \"" + String(repeating: "x", count: 40) + "…\""))
    }

    @Test func nestingInConfigIsBounded() {
        var body = EvaluatedBody()
        for _ in 0..<300 {
            body = EvaluatedBody(blocks: [EvaluatedBlock(type: "nested", typeSpan: .none, body: body)])
        }
        let config = EvaluatedBlock(type: "config", typeSpan: .none, body: body)
        let task = EvaluatedBlock(
            type: "task", typeSpan: .none, labels: [SyntaxBlock.Label(value: "t", span: .none)],
            body: EvaluatedBody(
                attributes: [EvaluatedAttribute(name: "driver", value: .string("exec"), nameSpan: .none, valueSpan: .none)],
                blocks: [config]))
        let group = EvaluatedBlock(
            type: "group", typeSpan: .none, labels: [SyntaxBlock.Label(value: "g", span: .none)],
            body: EvaluatedBody(blocks: [task]))
        let job = EvaluatedBlock(
            type: "job", typeSpan: .none, labels: [SyntaxBlock.Label(value: "j", span: .none)],
            body: EvaluatedBody(blocks: [group]))
        let source = SourceFile(name: "deep.hcl", text: "")
        var sink = DiagnosticSink(source: source)
        let decoded = JobDecoder(source: source).decode(EvaluatedBody(blocks: [job]), into: &sink)
        #expect(decoded == nil)
        #expect(sink.diagnostics.contains { $0.message.contains("nested more than 128 levels deep") })
    }
}
