import ClusterModel
@testable import Jobspec
import Testing

@Suite struct FunctionEncodingTests {
    @Test func jsonencodeSortsKeysAndEscapesLikeGo() {
        let data = object(("b", tuple(number(1), number(2.5), bool(true), null)), ("a", string("<x>\n\"q\"")))
        #expect(value(call("jsonencode", data)) == .string("{\"a\":\"\\u003cx\\u003e\\n\\\"q\\\"\",\"b\":[1,2.5,true,null]}"))
    }

    @Test func jsondecodeReadsJSON() {
        let text = "{\"a\": [1, 2.5e1, true, null], \"s\": \"\\u00e9\\ud83d\\ude00\"}"
        #expect(value(call("jsondecode", string(text))) == .map(["a": .list([.number(1), .number(25), .bool(true), .null]), "s": .string("é😀")]))
    }

    @Test func jsondecodeRejectsBadOrDeepInput() {
        #expect(errors(call("jsondecode", string("{1}"))).first?.hasPrefix("invalid argument 1 of \"jsondecode\": not valid JSON") == true)
        #expect((try? JSONReader.decode(String(repeating: "[", count: 500), maximumDepth: 128)) == nil)
        #expect((try? JSONReader.decode("[1] x", maximumDepth: 128)) == nil)
        #expect((try? JSONReader.decode("01", maximumDepth: 128)) == nil)
    }

    @Test func jsonRoundTrips() {
        let original: DynamicValue = .map(["k": .list([.string("ü\t"), .number(-0.5), .map([:])])])
        let text = try? JSONWriter.encode(original)
        #expect(text.flatMap { try? JSONReader.decode($0, maximumDepth: 10) } == original)
    }

    @Test func base64RoundTripsAndRejectsGarbage() {
        #expect(value(call("base64encode", string("Hello, wörld"))) == .string("SGVsbG8sIHfDtnJsZA=="))
        #expect(value(call("base64decode", string("SGVsbG8sIHfDtnJsZA=="))) == .string("Hello, wörld"))
        #expect(value(call("base64encode", string("ab"))) == .string("YWI="))
        #expect(errors(call("base64decode", string("abc"))) == ["invalid argument 1 of \"base64decode\": not valid base64 text"])
        #expect(errors(call("base64decode", string("/w=="))) == ["invalid argument 1 of \"base64decode\": the decoded bytes are not valid UTF-8 text"])
    }

    @Test func canAndTryCatchErrors() {
        #expect(value(call("can", ref("local.missing"))) == .bool(false))
        #expect(value(call("can", call("tonumber", string("1")))) == .bool(true))
        #expect(value(call("try", ref("local.missing"), string("fallback"))) == .string("fallback"))
        let result = evaluate(call("try", ref("local.missing"), call("tonumber", string("x"))))
        #expect(result.messages == ["no argument of \"try\" could be evaluated; the last one failed: invalid argument 1 of \"tonumber\": cannot convert a string \"x\" to a number"])
    }

    @Test func fixedPointFormattingIsExact() {
        #expect(DecimalFormatting.fixed(1.005, precision: 2) == "1.00")
        #expect(DecimalFormatting.fixed(0.125, precision: 2) == "0.12")
        #expect(DecimalFormatting.fixed(2.5, precision: 0) == "2")
        #expect(DecimalFormatting.fixed(9.999, precision: 2) == "10.00")
        #expect(DecimalFormatting.fixed(1e21, precision: 1) == "1000000000000000000000.0")
        #expect(DecimalFormatting.fixed(-0.0001, precision: 2) == "0.00")
    }
}
