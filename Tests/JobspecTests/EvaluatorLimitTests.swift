import ClusterModel
@testable import Jobspec
import Testing

@Suite struct EvaluatorLimitTests {
    @Test func aHugeRangeIsRefused() {
        #expect(errors(call("range", number(1e9))) == ["call to \"range\" failed: the range would have more than 1000000 elements"])
    }

    @Test func aStringDoubledInEveryLocalStopsAtTheCap() {
        var attributes: [Item] = [.attribute("s0", string("0123456789abcdef"))]
        for index in 1...40 {
            let previous = ref("local.s\(index - 1)")
            attributes.append(.attribute("s\(index)", template(.interpolation(previous), .interpolation(previous))))
        }
        let result = evaluate(call("length", ref("local.s40")), with: [block("locals", items: attributes)])
        #expect(result.attribute("x") == nil)
        #expect(result.messages.first == "the string would be longer than 1000000 bytes")
    }

    @Test func nestedLoopsOverLargeListsRunOutOfBudget() {
        let big = call("range", number(1_000_000))
        let code = forExpression("a", in: big, value: call("length", forExpression("b", in: big, value: ref("b"))))
        let result = evaluate(code)
        #expect(result.attribute("x") == nil)
        #expect(result.messages.contains { $0.hasPrefix("the file needs too much work to evaluate") })
    }

    @Test func canDoesNotHideAnExhaustedBudget() {
        let big = call("range", number(1_000_000))
        let code = forExpression("a", in: big, value: call("can", call("range", number(1_000_000))))
        #expect(errors(code).contains { $0.hasPrefix("the file needs too much work to evaluate") })
    }

    @Test func aDeeplyNestedLocalValueIsRefused() {
        var attributes: [Item] = [.attribute("l0", tuple())]
        for index in 1...200 { attributes.append(.attribute("l\(index)", tuple(ref("local.l\(index - 1)")))) }
        let result = evaluate(number(1), with: [block("locals", items: attributes)])
        #expect(result.messages == ["the value of local \"l128\" nests deeper than 128 levels"])
    }

    @Test func aHugeFormatWidthIsRefused() {
        #expect(errors(call("format", string("%999999999d"), number(1))).count == 1)
    }

    @Test func setproductRefusesAHugeResult() {
        let big = call("range", number(2000))
        #expect(errors(call("setproduct", big, big)) == ["call to \"setproduct\" failed: the product would have more than 1000000 elements"])
    }

    @Test func aLocalRepeatingALargeListRunsOutOfBudgetInsteadOfHanging() {
        let locals = block(
            "locals",
            items: [
                .attribute("big", call("range", number(3000))),
                .attribute("many", forExpression("i", in: ref("local.big"), value: ref("local.big"))),
            ])
        let result = evaluate(number(1), with: [locals])
        #expect(result.messages.contains { $0.hasPrefix("the file needs too much work to evaluate") })
    }

    @Test func comparingLargeListsRepeatedlyIsCharged() {
        let locals = block(
            "locals",
            items: [
                .attribute("big", call("range", number(3000))),
                .attribute("copy", forExpression("v", in: ref("local.big"), value: ref("v"))),
            ])
        let code = forExpression("i", in: ref("local.big"), value: binary(ref("local.big"), .equal, ref("local.copy")))
        #expect(errors(code, with: [locals]).contains { $0.hasPrefix("the file needs too much work to evaluate") })
        let distinct = call("distinct", forExpression("i", in: ref("local.big"), value: ref("local.copy")))
        #expect(errors(distinct, with: [locals]).contains { $0.hasPrefix("the file needs too much work to evaluate") })
    }

    @Test func anAttributeRepeatingALargeListIsRefused() {
        let big = call("range", number(3000))
        let result = evaluate(forExpression("i", in: big, value: big))
        #expect(result.attribute("x") == nil)
        #expect(result.messages.contains { $0.hasPrefix("the file needs too much work to evaluate") })
    }
}
