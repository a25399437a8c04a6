import Foundation

/// The body of every error answer: `{"code": 404, "message": "job \"web\" not found"}`.
/// The message says what went wrong and, where there is one, how to fix it.
public struct APIErrorBody: Sendable, Hashable, Codable {
    public var code: Int
    public var message: String
    /// Jobspec diagnostics (file:line:col and a caret), when the error is about a job file.
    public var diagnostics: [String]?

    public init(code: Int, message: String, diagnostics: [String]? = nil) {
        self.code = code
        self.message = message
        self.diagnostics = diagnostics
    }

    /// Encoded with a plain coder (not `APIJSON`), keeping the lower-case names.
    public func encoded() -> [UInt8] {
        (try? Array(JSONEncoder.sortedKeys.encode(self))) ?? Array(#"{"code":500,"message":"unencodable error"}"#.utf8)
    }

    public static func decoded(from bytes: some Collection<UInt8>) -> APIErrorBody? {
        try? JSONDecoder().decode(APIErrorBody.self, from: Data(bytes))
    }

    /// Lower-case field names, as the issue's API contract says, not Nomad's PascalCase:
    /// `{"code","message"}`.
    enum CodingKeys: String, CodingKey {
        case code = "code", message = "message", diagnostics = "diagnostics"
    }
}

extension JSONEncoder {
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
