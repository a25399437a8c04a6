import ClusterModel
@testable import Jobspec
import Testing

@Suite struct EvaluatorLocalTests {
    @Test func localsMayReferToEachOtherInAnyOrder() {
        let items = [
            block("locals", items: [.attribute("c", binary(ref("local.b"), .multiply, number(2)))]),
            block("locals", items: [.attribute("b", binary(ref("local.a"), .add, number(1))), .attribute("a", number(1))]),
        ]
        #expect(value(ref("local.c"), with: items) == .number(4))
    }

    @Test func localsCanUseVariables() {
        let items = [
            block("variables", items: [.attribute("region_var", string("default_region"))]),
            block(
                "locals",
                items: [
                    .attribute("dc", string("local_dc")),
                    .attribute("region", template(.interpolation(ref("var.region_var")), .text(".example"))),
                ]),
        ]
        #expect(value(ref("local.region"), with: items) == .string("default_region.example"))
        #expect(value(ref("local.region"), with: items, variables: ["region_var": .raw("set_region")]) == .string("set_region.example"))
    }

    @Test func aCycleIsReportedOnceNamingItsMembers() {
        let items = [
            block(
                "locals",
                items: [
                    .attribute("a", ref("local.b")), .attribute("b", ref("local.c")), .attribute("c", ref("local.a")),
                    .attribute("d", ref("local.a")),
                ])
        ]
        let result = evaluate(ref("local.d"), with: items)
        #expect(result.messages == ["locals refer to each other in a cycle: local.a → local.b → local.c → local.a"])
        #expect(result.attribute("x") == nil)
    }

    @Test func aLocalReferringToItselfIsReported() {
        let result = evaluate(number(1), with: [block("locals", items: [.attribute("a", binary(ref("local.a"), .add, number(1)))])])
        #expect(result.messages == ["the local \"a\" refers to itself"])
    }

    @Test func anUndefinedLocalSuggestsTheClosestName() {
        let result = evaluate(ref("local.enviroment"), with: [block("locals", items: [.attribute("environment", string("x"))])])
        #expect(result.messages == ["there is no local named \"enviroment\""])
        #expect(result.diagnostics[0].hint == "did you mean \"environment\"?")
    }

    @Test func aForVariableNamedLikeALocalIsNotADependency() {
        let items = [block("locals", items: [.attribute("a", forExpression("b", in: tuple(number(1)), value: ref("b")))])]
        #expect(value(ref("local.a"), with: items) == .numbers(1))
    }

    @Test func aLongChainOfLocalsDoesNotExhaustTheStack() {
        var attributes: [Item] = [.attribute("l0", number(0))]
        for index in 1...3000 {
            attributes.append(.attribute("l\(index)", binary(ref("local.l\(index - 1)"), .add, number(1))))
        }
        #expect(value(ref("local.l3000"), with: [block("locals", items: attributes.reversed())]) == .number(3000))
    }

    @Test func aLocalDefinedTwiceIsReported() {
        let result = evaluate(
            number(1),
            with: [block("locals", items: [.attribute("a", number(1))]), block("locals", items: [.attribute("a", number(2))])])
        #expect(result.messages == ["the local \"a\" is defined more than once"])
    }

    @Test func lookupOfEnvironmentsFollowsTheGivenVariable() {
        let items = [
            block("variable", "env"),
            block(
                "locals",
                items: [
                    .attribute(
                        "environments",
                        object(
                            ("prod", object(("count", number(20)), ("dcs", tuple(string("prod-dc1"), string("prod-dc2"))))),
                            ("staging", object(("count", number(3)), ("dcs", tuple(string("dc1"))))))),
                    .attribute(
                        "env",
                        call("lookup", ref("local.environments"), ref("var.env"), object(("count", number(0)), ("dcs", tuple())))),
                ]),
        ]
        let code = tuple(ref("local.env.dcs"), ref("local.env.count"))
        #expect(value(code, with: items, variables: ["env": .raw("prod")]) == .list([.strings("prod-dc1", "prod-dc2"), .number(20)]))
        #expect(value(code, with: items, variables: ["env": .raw("staging")]) == .list([.strings("dc1"), .number(3)]))
        #expect(value(code, with: items, variables: ["env": .raw("qa")]) == .list([.list([]), .number(0)]))
    }
}
