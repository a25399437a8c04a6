import ClusterModel
@testable import Jobspec
import Testing

@Suite struct EvaluatorVariableTests {
    private func declare(_ name: String, type: Code? = nil, default defaultValue: Code? = nil, extra: [Item] = []) -> Item {
        var items: [Item] = []
        if let type { items.append(.attribute("type", type)) }
        if let defaultValue { items.append(.attribute("default", defaultValue)) }
        return block("variable", name, items: items + extra)
    }

    @Test func defaultIsUsedWhenNoValueIsGiven() {
        #expect(value(ref("var.region"), with: [declare("region", default: string("eu"))]) == .string("eu"))
    }

    @Test func aGivenValueOverridesTheDefault() {
        let items = [declare("region", default: string("eu"))]
        #expect(value(ref("var.region"), with: items, variables: ["region": .raw("us")]) == .string("us"))
    }

    @Test func variablesBlockDeclaresVariablesWithDefaults() {
        let items = [block("variables", items: [.attribute("region_var", string("default_region"))])]
        #expect(value(ref("var.region_var"), with: items) == .string("default_region"))
        #expect(value(ref("var.region_var"), with: items, variables: ["region_var": .raw("set")]) == .string("set"))
    }

    @Test func rawTextIsConvertedToTheDeclaredPrimitiveType() {
        let items = [declare("y", type: ref("number")), declare("z", type: ref("bool")), declare("x", type: ref("string"))]
        let result = evaluate(
            tuple(ref("var.x"), ref("var.y"), ref("var.z")), with: items,
            variables: ["x": .raw("hello"), "y": .raw("42"), "z": .raw("true")])
        #expect(result.attribute("x") == .list([.string("hello"), .number(42), .bool(true)]))
        #expect(result.diagnostics.isEmpty)
    }

    @Test func rawTextThatDoesNotConvertNamesTheVariableAndType() {
        let result = evaluate(ref("var.y"), with: [declare("y", type: ref("number"))], variables: ["y": .raw("abc")])
        #expect(result.messages == ["invalid value for variable \"y\" of type number: expected a number, got the string \"abc\""])
        #expect(result.text(of: result.diagnostics[0]) == "variable \"y\"")
    }

    @Test func complexTypesReadTheRawTextAsAnExpression() {
        let items = [declare("dcs", type: call("list", ref("string")))]
        #expect(value(ref("var.dcs"), with: items, variables: ["dcs": .raw("[\"a\", \"b\"]")]) == .strings("a", "b"))
        let bad = evaluate(ref("var.dcs"), with: items, variables: ["dcs": .raw("[\"a\",")])
        #expect(bad.messages.count == 1)
        #expect(bad.messages[0].hasPrefix("the value given for variable \"dcs\" is not a valid list(string)"))
    }

    @Test func valuesFromAVarFileAreCheckedAgainstTheType() {
        let items = [declare("ports", type: call("map", ref("number")))]
        #expect(
            value(ref("var.ports"), with: items, variables: ["ports": .value(.map(["http": .string("80")]))])
                == .map(["http": .number(80)]))
        let bad = evaluate(ref("var.ports"), with: items, variables: ["ports": .value(.strings("a"))])
        #expect(bad.messages == ["invalid value for variable \"ports\" of type map(number): expected a map, got a list"])
    }

    @Test func nestedMismatchesSayWhere() {
        let type = call("object", object(("name", ref("string")), ("size", ref("number"))))
        let bad = evaluate(
            ref("var.o"), with: [declare("o", type: type)],
            variables: ["o": .value(.map(["name": .string("a"), "size": .string("big")]))])
        #expect(bad.messages == ["invalid value for variable \"o\" of type object({name=string, size=number}): attribute \"size\": expected a number, got the string \"big\""])
    }

    @Test func objectTypesDropExtraAttributesAndFillOptionalOnes() {
        let type = call("object", object(("name", ref("string")), ("tag", call("optional", ref("string")))))
        #expect(
            value(ref("var.o"), with: [declare("o", type: type)], variables: ["o": .value(.map(["name": .string("a"), "x": .number(1)]))])
                == .map(["name": .string("a"), "tag": .null]))
    }

    @Test func setTypesRemoveDuplicatesAndSort() {
        let items = [declare("s", type: call("set", ref("string")), default: tuple(string("b"), string("a"), string("b")))]
        #expect(value(ref("var.s"), with: items) == .strings("a", "b"))
    }

    @Test func tupleTypesCheckEachPosition() {
        let items = [declare("t", type: call("tuple", tuple(ref("string"), ref("number"))), default: tuple(number(1), string("2")))]
        #expect(value(ref("var.t"), with: items) == .list([.string("1"), .number(2)]))
    }

    @Test func aRequiredVariableWithoutValueIsReportedAtItsBlock() {
        let result = evaluate(ref("var.X"), with: [declare("X", type: ref("string"))])
        #expect(result.messages == ["variable \"X\" is required: pass -var 'X=…' or give it a default"])
        #expect(result.text(of: result.diagnostics[0]) == "variable \"X\"")
    }

    @Test func aValueForAnUndeclaredVariableIsAnErrorWithAHint() {
        let result = evaluate(ref("var.env"), with: [declare("env", default: string("dev"))], variables: ["envv": .raw("prod")])
        #expect(result.messages == ["a value is given for the variable \"envv\", but the file declares no such variable"])
        #expect(result.diagnostics[0].hint == "did you mean \"env\"?")
    }

    @Test func aReferenceToAnUndeclaredVariableSuggestsADeclaredOne() {
        let result = evaluate(ref("var.regoin"), with: [declare("region", default: string("eu"))])
        #expect(result.messages == ["there is no variable named \"regoin\""])
        #expect(result.diagnostics[0].hint == "did you mean \"region\"?")
    }

    @Test func referencesToARejectedVariableDoNotPileUpErrors() {
        let result = evaluate(
            tuple(ref("var.y"), ref("var.y")), with: [declare("y", type: ref("number"))], variables: ["y": .raw("x")])
        #expect(result.messages.count == 1)
    }

    @Test func aDefaultCannotReferToOtherVariables() {
        let result = evaluate(ref("var.b"), with: [declare("a", default: string("x")), declare("b", default: ref("var.a"))])
        #expect(result.messages.count == 1)
        #expect(result.messages[0].hasPrefix("\"var\" cannot be used here"))
    }

    @Test func anUnknownTypeIsReportedWithAHint() {
        let result = evaluate(number(1), with: [declare("a", type: ref("strng"), default: string("x"))])
        #expect(result.messages == ["\"strng\" is not a type"])
        #expect(result.diagnostics[0].hint == "did you mean \"string\"?")
    }

    @Test func anUnknownArgumentInAVariableBlockIsReported() {
        let result = evaluate(number(1), with: [declare("a", default: number(1), extra: [.attribute("defualt", number(2))])])
        #expect(result.messages == ["a variable block has no argument \"defualt\""])
        #expect(result.diagnostics[0].hint == "did you mean \"default\"?")
    }

    @Test func aFailingValidationReportsItsMessage() {
        let validation = block(
            "validation",
            items: [
                .attribute("condition", call("contains", tuple(string("prod"), string("staging")), ref("var.env"))),
                .attribute("error_message", string("env must be prod or staging")),
            ])
        let items = [declare("env", type: ref("string"), extra: [validation])]
        #expect(evaluate(ref("var.env"), with: items, variables: ["env": .raw("prod")]).diagnostics.isEmpty)
        let result = evaluate(ref("var.env"), with: items, variables: ["env": .raw("dev")])
        #expect(result.messages == ["invalid value for variable \"env\": env must be prod or staging"])
    }

    @Test func declaringAVariableTwiceIsAnError() {
        let result = evaluate(
            number(1), with: [declare("a", default: number(1)), block("variables", items: [.attribute("a", number(2))])])
        #expect(result.messages == ["the variable \"a\" is declared more than once"])
    }

    @Test func variableBlocksDoNotAppearInTheOutput() {
        let result = evaluate([
            declare("a", default: number(1)), block("variables", items: [.attribute("b", number(2))]),
            block("locals", items: [.attribute("c", number(3))]), block("job", "x"),
        ])
        #expect(result.body.blocks.map(\.type) == ["job"])
    }
}
