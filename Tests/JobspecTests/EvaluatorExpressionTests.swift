import ClusterModel
@testable import Jobspec
import Testing

@Suite struct EvaluatorExpressionTests {
    @Test func literalsEvaluateToThemselves() {
        #expect(value(number(3)) == .number(3))
        #expect(value(string("a")) == .string("a"))
        #expect(value(bool(true)) == .bool(true))
        #expect(value(null) == .null)
    }

    @Test func tuplesAndObjectsBuildListsAndMaps() {
        #expect(value(tuple(number(1), string("b"))) == .list([.number(1), .string("b")]))
        #expect(value(object(("name", string("web")), ("count", number(2)))) == .map(["name": .string("web"), "count": .number(2)]))
    }

    @Test func arithmeticConvertsNumericStrings() {
        #expect(value(binary(string("1"), .add, number(1))) == .number(2))
        #expect(value(binary(number(7), .modulo, number(3))) == .number(1))
        #expect(value(binary(number(1), .divide, number(4))) == .number(0.25))
        #expect(value(unary(.negate, string("2"))) == .number(-2))
    }

    @Test func arithmeticOnAWordIsAnErrorAtTheOperand() {
        let result = evaluate(binary(string("abc"), .add, number(1)))
        #expect(result.attribute("x") == nil)
        #expect(result.messages == ["expected a number for the left operand of \"+\", got a string (\"abc\")"])
        #expect(result.text(of: result.diagnostics[0]) == "\"abc\"")
    }

    @Test func divisionByZeroIsReported() {
        #expect(errors(binary(number(1), .divide, number(0))) == ["division by zero"])
    }

    @Test func equalityIsExactAcrossTypes() {
        #expect(value(binary(string("1"), .equal, number(1))) == .bool(false))
        #expect(value(binary(string("a"), .equal, string("a"))) == .bool(true))
        #expect(value(binary(tuple(number(1)), .notEqual, tuple(number(2)))) == .bool(true))
    }

    @Test func comparisonsConvertNumbers() {
        #expect(value(binary(string("10"), .greater, number(9))) == .bool(true))
        #expect(value(binary(number(2), .lessOrEqual, number(2))) == .bool(true))
    }

    @Test func logicalOperatorsNeedBools() {
        #expect(value(binary(bool(true), .and, bool(false))) == .bool(false))
        #expect(value(binary(bool(false), .or, bool(true))) == .bool(true))
        #expect(value(unary(.not, bool(false))) == .bool(true))
        #expect(errors(binary(number(1), .and, bool(true))) == ["expected a bool for the left operand of \"&&\", got the number 1"])
    }

    @Test func logicalOperatorsSkipTheRightOperandWhenTheLeftDecides() {
        #expect(value(binary(bool(false), .and, ref("var.missing"))) == .bool(false))
        #expect(value(binary(bool(true), .or, ref("var.missing"))) == .bool(true))
    }

    @Test func conditionalEvaluatesOnlyTheChosenBranch() {
        #expect(value(conditional(bool(true), string("yes"), ref("var.missing"))) == .string("yes"))
        #expect(value(conditional(binary(number(1), .greater, number(2)), string("a"), string("b"))) == .string("b"))
        #expect(errors(conditional(string("maybe"), number(1), number(2))) == ["expected a bool for the condition, got a string (\"maybe\")"])
    }

    @Test func parenthesesGroup() {
        #expect(value(binary(parenthesized(binary(number(1), .add, number(2))), .multiply, number(3))) == .number(9))
    }

    @Test func attributeAndIndexAccessReadMapsAndLists() {
        let data = object(("list", tuple(string("a"), string("b"))), ("inner", object(("k", number(5)))))
        #expect(value(index(attribute(data, "list"), number(1))) == .string("b"))
        #expect(value(index(attribute(data, "list"), string("0"))) == .string("a"))
        #expect(value(index(data, string("inner"))) == .map(["k": .number(5)]))
    }

    @Test func missingAttributeSuggestsTheClosestKey() {
        let result = evaluate(attribute(object(("count", number(1))), "cout"))
        #expect(result.messages == ["there is no attribute \"cout\" in this map"])
        #expect(result.diagnostics.first?.hint == "did you mean \"count\"?")
    }

    @Test func indexOutOfRangeIsReported() {
        #expect(errors(index(tuple(number(1)), number(3))) == ["index 3 is out of range for a list of 1 element"])
    }

    @Test func splatAppliesStepsToEveryElement() {
        let items = tuple(object(("name", string("a"))), object(("name", string("b"))))
        #expect(value(splat(items, "name")) == .strings("a", "b"))
        #expect(value(splat(null, "name")) == .list([]))
        #expect(value(splat(object(("name", string("solo"))), "name")) == .strings("solo"))
    }

    @Test func forExpressionBuildsAList() {
        let code = forExpression("s", in: tuple(string("dc1"), string("dc2")), value: call("upper", ref("s")))
        #expect(value(code) == .strings("DC1", "DC2"))
    }

    @Test func forExpressionBindsIndexAndFilters() {
        let code = forExpression(
            "i", "v", in: tuple(string("a"), string("b"), string("c")), value: template(.interpolation(ref("i")), .text("="), .interpolation(ref("v"))),
            condition: binary(ref("v"), .notEqual, string("b")))
        #expect(value(code) == .strings("0=a", "2=c"))
    }

    @Test func forExpressionOverAMapWalksKeysInOrder() {
        let code = forExpression("k", "v", in: object(("b", number(2)), ("a", number(1))), value: ref("k"))
        #expect(value(code) == .strings("a", "b"))
    }

    @Test func objectForExpressionBuildsAMap() {
        let code = forExpression("s", in: tuple(string("a"), string("b")), key: ref("s"), value: call("upper", ref("s")))
        #expect(value(code) == .map(["a": .string("A"), "b": .string("B")]))
    }

    @Test func objectForExpressionGroupsWithEllipsis() {
        let code = forExpression(
            "s", in: tuple(string("ab"), string("ac"), string("b")), key: call("substr", ref("s"), number(0), number(1)),
            value: ref("s"), grouping: true)
        #expect(value(code) == .map(["a": .strings("ab", "ac"), "b": .strings("b")]))
    }

    @Test func duplicateKeysWithoutGroupingAreAnError() {
        let code = forExpression("s", in: tuple(string("a"), string("a")), key: ref("s"), value: ref("s"))
        #expect(errors(code) == ["the key \"a\" is produced more than once"])
    }

    @Test func forOverAStringIsAnError() {
        #expect(errors(forExpression("s", in: string("abc"), value: ref("s"))) == ["cannot iterate over a string (\"abc\"): expected a list or a map"])
    }

    @Test func forVariablesDoNotLeakOutOfTheExpression() {
        let code = tuple(forExpression("s", in: tuple(number(1)), value: ref("s")), ref("s"))
        #expect(value(code) == .list([.numbers(1), .string("${s}")]))
    }

    @Test func templatesJoinTextAndValues() {
        let code = template(.text("n="), .interpolation(number(2)), .text(" ok="), .interpolation(bool(true)))
        #expect(value(code) == .string("n=2 ok=true"))
    }

    @Test func aLoneInterpolationKeepsItsValueWhole() {
        #expect(value(template(.interpolation(tuple(number(1), number(2))))) == .numbers(1, 2))
        #expect(value(template(.interpolation(number(3)))) == .number(3))
        #expect(value(template(.text(""), .interpolation(bool(true)), .text(""))) == .bool(true))
    }

    @Test func templateDirectivesBranchAndLoop() {
        let loop = template(.forDirective(nil, "s", tuple(string("a"), string("b")), [.interpolation(ref("s")), .text(",")]))
        #expect(value(loop) == .string("a,b,"))
        let branch = template(.ifDirective(binary(number(1), .less, number(2)), [.text("small")], [.text("big")]))
        #expect(value(branch) == .string("small"))
    }

    @Test func aListInsideATemplateIsAnErrorWithAHint() {
        let result = evaluate(template(.text("x="), .interpolation(tuple(number(1)))))
        #expect(result.messages == ["cannot insert a list into a string"])
        #expect(result.text(of: result.diagnostics[0]) == "[1]")
        #expect(result.diagnostics[0].hint?.contains("jsonencode") == true)
    }

    @Test func runtimeReferencesStayVerbatim() {
        #expect(value(template(.interpolation(ref("attr.kernel.name")))) == .string("${attr.kernel.name}"))
        #expect(value(template(.interpolation(ref("env", index: string("X"))))) == .string("${env[\"X\"]}"))
        #expect(value(template(.text("a-"), .interpolation(ref("NOMAD_ALLOC_ID")), .text("-b"))) == .string("a-${NOMAD_ALLOC_ID}-b"))
        #expect(value(ref("node.unique.name")) == .string("${node.unique.name}"))
    }

    @Test func undeclaredVarAndLocalAreErrorsNotRuntimeReferences() {
        let result = evaluate(ref("var.region"))
        #expect(result.messages == ["there is no variable named \"region\""])
        #expect(result.text(of: result.diagnostics[0]) == "var.region")
        #expect(errors(ref("local.dcs")) == ["there is no local named \"dcs\""])
        #expect(errors(ref("var")) == ["\"var\" must be followed by a name, as in var.name"])
    }

    @Test func everyBadElementOfAListIsReported() {
        let result = evaluate(tuple(ref("var.a"), number(1), ref("var.b")))
        #expect(result.messages == ["there is no variable named \"a\"", "there is no variable named \"b\""])
    }

    @Test func evaluationGoesOnAfterAFailingAttribute() {
        let result = evaluate([
            .attribute("bad", call("pow", string("a"), number(2))),
            .attribute("good", number(1)),
            block("group", "g", items: [.attribute("worse", ref("local.nope")), .attribute("fine", string("ok"))]),
        ])
        #expect(result.messages == ["expected a number for argument 1 of \"pow\", got a string", "there is no local named \"nope\""])
        #expect(result.body.attributes.map(\.name) == ["good"])
        #expect(result.body.blocks.first?.body.attributes.map(\.name) == ["fine"])
    }

    @Test func outputKeepsBlocksInOrderWithTheirSpans() {
        let result = evaluate([
            block("job", "web", items: [.attribute("region", string("eu")), block("group", "a"), block("group", "b")])
        ])
        let job = result.body.blocks[0]
        #expect(result.source.text(of: job.typeSpan) == "job")
        #expect(result.source.text(of: job.labels[0].span) == "\"web\"")
        #expect(job.body.blocks.map { $0.labels[0].value } == ["a", "b"])
        let region = job.body.attributes[0]
        #expect(result.source.text(of: region.nameSpan) == "region")
        #expect(result.source.text(of: region.valueSpan) == "\"eu\"")
    }

    @Test func deeplyNestedExpressionsEvaluateWithoutExhaustingTheStack() {
        var code = number(1)
        for _ in 0..<128 { code = parenthesized(binary(code, .add, number(1))) }
        #expect(value(code) == .number(129))
    }

    @Test func deeplyNestedMixedExpressionsEvaluate() {
        var code = number(1)
        for level in 0..<128 {
            switch level % 4 {
            case 0: code = tuple(code)
            case 1: code = template(.interpolation(call("one", code)))
            case 2: code = forExpression("v\(level)", in: tuple(code), value: ref("v\(level)"))
            default: code = call("flatten", code)
            }
        }
        #expect(value(code) != nil)
    }
}
