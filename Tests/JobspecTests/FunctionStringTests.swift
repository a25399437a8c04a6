import ClusterModel
@testable import Jobspec
import Testing

@Suite struct FunctionStringTests {
    @Test func formatWritesNumbersAsHCLDoes() {
        #expect(value(call("format", string("id:%s"), number(1))) == .string("id:1"))
        #expect(value(call("format", string("%d items, %.2f%%"), number(3), number(2.345))) == .string("3 items, 2.35%"))
        #expect(value(call("format", string("%v|%t|%q"), tuple(number(1), string("a")), bool(true), string("x\"y"))) == .string("[1,\"a\"]|true|\"x\\\"y\""))
        #expect(value(call("format", string("%5s|%-4d|%05d|%x"), string("ab"), number(7), number(-42), number(255))) == .string("   ab|7   |-0042|ff"))
        #expect(value(call("format", string("%f"), number(0.1))) == .string("0.100000"))
        #expect(value(call("format", string("%.1f"), number(0.25))) == .string("0.2"))
    }

    @Test func formatReportsMisuse() {
        #expect(errors(call("format", string("%d"), number(1.5))) == ["invalid argument 2 of \"format\": \"%d\" needs a whole number, got a number"])
        #expect(errors(call("format", string("%s %s"), string("a"))) == ["invalid argument 1 of \"format\": not enough arguments for the \"%s\" directives"])
        #expect(errors(call("format", string("%s"), string("a"), string("b"))) == ["invalid argument 3 of \"format\": too many arguments: the format uses 1, got 2"])
        #expect(errors(call("format", string("%s"), tuple())) == ["invalid argument 2 of \"format\": \"%s\" needs a string, got a list"])
    }

    @Test func formatlistWalksListsTogether() {
        #expect(value(call("formatlist", string("%s:%d"), tuple(string("a"), string("b")), number(80))) == .strings("a:80", "b:80"))
        #expect(errors(call("formatlist", string("%s%s"), tuple(string("a")), tuple(string("b"), string("c")))).count == 1)
    }

    @Test func caseAndReversal() {
        #expect(value(call("upper", string("héllo"))) == .string("HÉLLO"))
        #expect(value(call("lower", string("ABC"))) == .string("abc"))
        #expect(value(call("title", string("hello wide-world"))) == .string("Hello Wide-World"))
        #expect(value(call("strrev", string("abc"))) == .string("cba"))
        #expect(value(call("upper", number(1))) == .string("1"))
    }

    @Test func joiningAndSplitting() {
        #expect(value(call("join", string(","), tuple(string("a"), number(2)), tuple(string("c")))) == .string("a,2,c"))
        #expect(value(call("split", string(","), string("a,b,,c"))) == .strings("a", "b", "", "c"))
        #expect(value(call("split", string(","), string(""))) == .strings(""))
        #expect(errors(call("join", string(","), tuple(tuple()))) == ["expected a string for element 0 of argument 2 of \"join\", got a list"])
    }

    @Test func replacingSubstrings() {
        #expect(value(call("replace", string("a-b-c"), string("-"), string("+"))) == .string("a+b+c"))
        #expect(value(call("replace", string("aaaa"), string("aa"), string("b"))) == .string("bb"))
        #expect(value(call("replace", string("ab"), string(""), string("."))) == .string(".a.b."))
    }

    @Test func substringsCountCharacters() {
        #expect(value(call("substr", string("hello"), number(1), number(3))) == .string("ell"))
        #expect(value(call("substr", string("hello"), number(-3), number(-1))) == .string("llo"))
        #expect(value(call("substr", string("héllo"), number(0), number(2))) == .string("hé"))
        #expect(value(call("substr", string("hi"), number(5), number(1))) == .string(""))
    }

    @Test func trimmingFunctions() {
        #expect(value(call("trim", string("?!hello?!"), string("!?"))) == .string("hello"))
        #expect(value(call("trimprefix", string("helloworld"), string("hello"))) == .string("world"))
        #expect(value(call("trimsuffix", string("helloworld"), string("world"))) == .string("hello"))
        #expect(value(call("trimspace", string("  x \\n"))) == .string("x \\n"))
        #expect(value(call("chomp", string("line\n\r\n"))) == .string("line"))
    }

    @Test func indentPrefixesEveryLineButTheFirst() {
        #expect(value(call("indent", number(2), string("a\nb\nc"))) == .string("a\n  b\n  c"))
    }

    @Test func prefixAndSuffixTests() {
        #expect(value(call("startswith", string("hello"), string("he"))) == .bool(true))
        #expect(value(call("endswith", string("hello"), string("he"))) == .bool(false))
    }
}
