import ClusterModel
@testable import Jobspec
import Testing

@Suite struct FunctionNumericTests {
    @Test func roundingAndSignFunctions() {
        #expect(value(call("abs", number(-3.5))) == .number(3.5))
        #expect(value(call("ceil", number(1.2))) == .number(2))
        #expect(value(call("floor", number(-1.2))) == .number(-2))
        #expect(value(call("signum", number(-7))) == .number(-1))
        #expect(value(call("signum", number(0))) == .number(0))
    }

    @Test func powerAndLogarithm() {
        #expect(value(call("pow", number(2), number(10))) == .number(1024))
        #expect(value(call("pow", string("2"), number(3))) == .number(8))
        #expect(value(call("log", number(8), number(2))) == .number(3))
    }

    @Test func powWithAWordNamesTheArgumentAndItsType() {
        let result = evaluate(call("pow", string("a"), number(2)))
        #expect(result.messages == ["expected a number for argument 1 of \"pow\", got a string"])
        #expect(result.text(of: result.diagnostics[0]) == "\"a\"")
    }

    @Test func maxAndMinTakeAnyCountAndExpandALists() {
        #expect(value(call("max", number(3), number(9), number(1))) == .number(9))
        #expect(value(call("min", tuple(number(3), number(-2)), expandFinal: true)) == .number(-2))
        #expect(errors(call("max")) == ["\"max\" takes at least 1 argument, got 0"])
    }

    @Test func parseintReadsBases() {
        #expect(value(call("parseint", string("ff"), number(16))) == .number(255))
        #expect(value(call("parseint", string("-101"), number(2))) == .number(-5))
        #expect(value(call("parseint", string("Z"), number(62))) == .number(61))
        #expect(errors(call("parseint", string("12"), number(2))) == ["invalid argument 1 of \"parseint\": \"12\" is not a whole number in base 2"])
        #expect(errors(call("parseint", string("1"), number(1))) == ["invalid argument 2 of \"parseint\": the base must be between 2 and 62"])
    }

    @Test func wrongArgumentCountNamesTheFunction() {
        #expect(errors(call("abs", number(1), number(2))) == ["\"abs\" takes 1 argument, got 2"])
    }

    @Test func unknownFunctionSuggestsAKnownOne() {
        let result = evaluate(call("uper", string("a")))
        #expect(result.messages == ["there is no function named \"uper\""])
        #expect(result.diagnostics[0].hint == "did you mean \"upper\"?")
        #expect(result.text(of: result.diagnostics[0]) == "uper")
    }

    @Test func nullArgumentsAreRejected() {
        #expect(errors(call("abs", null)) == ["expected a number for argument 1 of \"abs\", got null"])
    }
}
