import Foundation

/// The JSON coders of the HTTP API, shared by the agent (which encodes) and the CLI (which
/// decodes), so both sides agree on field names by construction.
public enum APIJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in
            APIKey(APIKeyMapping.apiName(for: path.last?.stringValue ?? ""))
        }
        // Sorted keys make responses stable, so tests and users can diff them.
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            APIKey(APIKeyMapping.swiftName(for: path.last?.stringValue ?? ""))
        }
        return decoder
    }

    public static func encode(_ value: some Encodable, pretty: Bool = false) throws -> [UInt8] {
        Array(try encoder(pretty: pretty).encode(value))
    }

    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: some Collection<UInt8>) throws -> Value {
        try decoder().decode(type, from: Data(bytes))
    }
}

struct APIKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ stringValue: String) { self.stringValue = stringValue }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
