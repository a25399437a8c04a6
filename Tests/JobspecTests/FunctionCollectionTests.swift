import ClusterModel
@testable import Jobspec
import Testing

@Suite struct FunctionCollectionTests {
    private let abc = tuple(string("a"), string("b"), string("c"))

    @Test func lengthCountsListsMapsAndCharacters() {
        #expect(value(call("length", abc)) == .number(3))
        #expect(value(call("length", object(("a", number(1))))) == .number(1))
        #expect(value(call("length", string("héllo"))) == .number(5))
        #expect(errors(call("length", number(3))) == ["expected a list, a map or a string for argument 1 of \"length\", got a number"])
    }

    @Test func elementWrapsAroundAndIndexFinds() {
        #expect(value(call("element", abc, number(4))) == .string("b"))
        #expect(value(call("index", abc, string("c"))) == .number(2))
        #expect(errors(call("index", abc, string("z"))) == ["invalid argument 2 of \"index\": the value is not in the list"])
    }

    @Test func lookupFallsBackToTheDefault() {
        let map = object(("a", number(1)))
        #expect(value(call("lookup", map, string("a"), number(0))) == .number(1))
        #expect(value(call("lookup", map, string("b"), number(0))) == .number(0))
        #expect(errors(call("lookup", map, string("b"))) == ["invalid argument 2 of \"lookup\": the map has no key \"b\" and no default was given"])
    }

    @Test func keysValuesMergeAndZipmap() {
        let map = object(("b", number(2)), ("a", number(1)))
        #expect(value(call("keys", map)) == .strings("a", "b"))
        #expect(value(call("values", map)) == .numbers(1, 2))
        #expect(value(call("merge", map, object(("a", number(9))), null)) == .map(["a": .number(9), "b": .number(2)]))
        #expect(value(call("zipmap", tuple(string("x"), string("y")), tuple(number(1), number(2)))) == .map(["x": .number(1), "y": .number(2)]))
    }

    @Test func listReshaping() {
        #expect(value(call("concat", tuple(number(1)), tuple(number(2), number(3)))) == .numbers(1, 2, 3))
        #expect(value(call("flatten", tuple(tuple(number(1), tuple(number(2))), number(3)))) == .numbers(1, 2, 3))
        #expect(value(call("chunklist", tuple(number(1), number(2), number(3)), number(2))) == .list([.numbers(1, 2), .numbers(3)]))
        #expect(value(call("reverse", abc)) == .strings("c", "b", "a"))
        #expect(value(call("slice", abc, number(1), number(3))) == .strings("b", "c"))
        #expect(value(call("distinct", tuple(string("a"), string("b"), string("a")))) == .strings("a", "b"))
        #expect(value(call("compact", tuple(string("a"), string(""), null))) == .strings("a"))
        #expect(value(call("sort", tuple(string("b"), string("C"), string("a")))) == .strings("C", "a", "b"))
        #expect(errors(call("slice", abc, number(2), number(5))) == ["invalid argument 3 of \"slice\": the end index must be between 2 and 3, got 5"])
    }

    @Test func rangeCountsLikeHCL() {
        #expect(value(call("range", number(3))) == .numbers(0, 1, 2))
        #expect(value(call("range", number(1), number(4))) == .numbers(1, 2, 3))
        #expect(value(call("range", number(4), number(1))) == .numbers(4, 3, 2))
        #expect(value(call("range", number(0), number(1), number(0.5))) == .numbers(0, 0.5))
        #expect(errors(call("range", number(0), number(1), number(0))) == ["invalid argument 3 of \"range\": the step must not be zero"])
    }

    @Test func coalescingAndContainment() {
        #expect(value(call("coalesce", null, string(""), string("b"))) == .string("b"))
        #expect(value(call("coalescelist", tuple(), tuple(number(1)))) == .numbers(1))
        #expect(value(call("contains", abc, string("b"))) == .bool(true))
        #expect(value(call("contains", tuple(string("1")), number(1))) == .bool(false))
    }

    @Test func aggregates() {
        #expect(value(call("sum", tuple(number(1), number(2.5)))) == .number(3.5))
        #expect(value(call("one", tuple())) == .null)
        #expect(value(call("one", tuple(number(4)))) == .number(4))
        #expect(value(call("alltrue", tuple(bool(true), string("true")))) == .bool(true))
        #expect(value(call("anytrue", tuple())) == .bool(false))
        #expect(errors(call("one", abc)) == ["invalid argument 1 of \"one\": the list must have at most one element, it has 3"])
    }

    @Test func transposeSwapsKeysAndValues() {
        let map = object(("a", tuple(string("1"), string("2"))), ("b", tuple(string("2"))))
        #expect(value(call("transpose", map)) == .map(["1": .strings("a"), "2": .strings("a", "b")]))
    }

    @Test func setFunctions() {
        #expect(value(call("setunion", tuple(string("b"), string("a")), tuple(string("c"), string("a")))) == .strings("a", "b", "c"))
        #expect(value(call("setintersection", tuple(string("a"), string("b")), tuple(string("b"), string("c")))) == .strings("b"))
        #expect(value(call("setsubtract", tuple(string("a"), string("b")), tuple(string("a")))) == .strings("b"))
        #expect(value(call("setproduct", tuple(string("a"), string("b")), tuple(number(1)))) == .list([.list([.string("a"), .number(1)]), .list([.string("b"), .number(1)])]))
    }

    @Test func conversions() {
        #expect(value(call("tostring", number(1.5))) == .string("1.5"))
        #expect(value(call("tonumber", string("12"))) == .number(12))
        #expect(value(call("tobool", string("false"))) == .bool(false))
        #expect(value(call("toset", tuple(string("b"), string("a"), string("b")))) == .strings("a", "b"))
        #expect(value(call("tolist", tuple(string("a"), number(1)))) == .strings("a", "1"))
        #expect(value(call("tomap", object(("a", number(1))))) == .map(["a": .number(1)]))
        #expect(value(call("tostring", null)) == .null)
        #expect(errors(call("tonumber", string("twelve"))) == ["invalid argument 1 of \"tonumber\": cannot convert a string \"twelve\" to a number"])
    }
}
