import ClusterModel
import Foundation
import Testing

@Suite struct DynamicValueTests {
    @Test func integralNumbersEncodeWithoutAFraction() throws {
        let encoded = try JSONEncoder().encode(DynamicValue.list([.number(3), .number(3.5)]))
        #expect(String(decoding: encoded, as: UTF8.self) == "[3,3.5]")
    }

    @Test func decodingRoundTripsEveryKind() throws {
        let value = DynamicValue.map([
            "a": .list([.bool(true), .null, .string("x")]), "b": .number(21_474_836_470),
        ])
        let decoded = try JSONDecoder().decode(DynamicValue.self, from: JSONEncoder().encode(value))
        #expect(decoded == value)
    }
}
