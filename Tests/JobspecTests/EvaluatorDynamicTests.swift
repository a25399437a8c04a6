import ClusterModel
@testable import Jobspec
import Testing

@Suite struct EvaluatorDynamicTests {
    private let groups = tuple(
        object(("name", string("groupA")), ("idx", number(1))),
        object(("name", string("groupB")), ("idx", number(2))),
        object(("name", string("groupC")), ("idx", number(3))))

    @Test func dynamicBlocksExpandInPlaceWithLabelsAndContent() {
        let result = evaluate([
            block(
                "job", "example",
                items: [
                    block("meta"),
                    block(
                        "dynamic", "group",
                        items: [
                            .attribute("for_each", groups),
                            .attribute("labels", tuple(ref("group.value.name"))),
                            block(
                                "content",
                                items: [
                                    .attribute("count", ref("group.value.idx")),
                                    block(
                                        "task", "simple",
                                        items: [
                                            block("env", items: [.attribute("ID", call("format", string("id:%s"), ref("group.value.idx")))])
                                        ]),
                                ]),
                        ]),
                    block("update"),
                ])
        ])
        #expect(result.diagnostics.isEmpty)
        let job = result.body.blocks[0]
        #expect(job.body.blocks.map(\.type) == ["meta", "group", "group", "group", "update"])
        let generated = job.body.blocks[1...3]
        #expect(generated.map { $0.labels.map(\.value) } == [["groupA"], ["groupB"], ["groupC"]])
        #expect(generated.map { $0.body.attributes.first?.value } == [.number(1), .number(2), .number(3)])
        let env = generated.map { $0.body.blocks[0].body.blocks[0].body.attributes[0].value }
        #expect(env == [.string("id:1"), .string("id:2"), .string("id:3")])
        #expect(result.source.text(of: job.body.blocks[1].labels[0].span) == "group.value.name")
        #expect(result.source.text(of: job.body.blocks[1].typeSpan) == "\"group\"")
    }

    @Test func aCustomIteratorAndMapKeysAreAvailable() {
        let result = evaluate([
            block(
                "dynamic", "port",
                items: [
                    .attribute("for_each", object(("http", number(80)), ("admin", number(9000)))),
                    .attribute("iterator", ref("p")),
                    .attribute("labels", tuple(ref("p.key"))),
                    block("content", items: [.attribute("static", ref("p.value"))]),
                ])
        ])
        #expect(result.body.blocks.map { $0.labels[0].value } == ["admin", "http"])
        #expect(result.body.blocks.map { $0.body.attributes[0].value } == [.number(9000), .number(80)])
    }

    @Test func nestedDynamicBlocksSeeTheOuterIterator() {
        let result = evaluate([
            block(
                "dynamic", "group",
                items: [
                    .attribute("for_each", tuple(string("a"), string("b"))),
                    .attribute("labels", tuple(ref("group.value"))),
                    block(
                        "content",
                        items: [
                            block(
                                "dynamic", "task",
                                items: [
                                    .attribute("for_each", tuple(number(1), number(2))),
                                    .attribute("labels", tuple(template(.interpolation(ref("group.value")), .text("-"), .interpolation(ref("task.value"))))),
                                    block("content"),
                                ])
                        ]),
                ])
        ])
        #expect(result.diagnostics.isEmpty)
        let tasks = result.body.blocks.flatMap { $0.body.blocks.map { $0.labels[0].value } }
        #expect(tasks == ["a-1", "a-2", "b-1", "b-2"])
    }

    @Test func anEmptyForEachProducesNoBlocks() {
        let result = evaluate([block("dynamic", "group", items: [.attribute("for_each", tuple()), block("content")])])
        #expect(result.body.blocks.isEmpty)
        #expect(result.diagnostics.isEmpty)
    }

    @Test func aDynamicBlockWithoutForEachOrContentIsReported() {
        #expect(evaluate([block("dynamic", "group", items: [block("content")])]).messages == ["a dynamic block needs a for_each argument"])
        #expect(evaluate([block("dynamic", "group", items: [.attribute("for_each", tuple())])]).messages == ["a dynamic block needs a content block"])
    }

    @Test func aMisspelledDynamicArgumentGetsAHint() {
        let result = evaluate([block("dynamic", "group", items: [.attribute("for_each", tuple()), .attribute("iteratr", ref("g")), block("content")])])
        #expect(result.messages == ["a dynamic block has no argument \"iteratr\""])
        #expect(result.diagnostics[0].hint == "did you mean \"iterator\"?")
    }

    @Test func forEachOverAStringIsAnError() {
        let result = evaluate([block("dynamic", "group", items: [.attribute("for_each", string("abc")), block("content")])])
        #expect(result.messages == ["cannot iterate over a string (\"abc\"): expected a list or a map"])
    }

    @Test func anErrorInsideContentIsReportedOnce() {
        let result = evaluate([
            block(
                "dynamic", "group",
                items: [.attribute("for_each", tuple(number(1), number(2))), block("content", items: [.attribute("x", ref("local.nope"))])])
        ])
        #expect(result.messages == ["there is no local named \"nope\""])
        #expect(result.body.blocks.count == 2)
    }

    @Test func theIteratorIsNotVisibleOutsideTheDynamicBlock() {
        let result = evaluate([
            block("dynamic", "group", items: [.attribute("for_each", tuple(number(1))), block("content")]),
            .attribute("after", ref("group.value")),
        ])
        #expect(result.attribute("after") == .string("${group.value}"))
    }
}
