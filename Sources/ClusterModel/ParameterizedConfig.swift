/// Makes a batch job a template that runs only when dispatched with a payload and metadata.
public struct ParameterizedConfig: Sendable, Hashable, Codable {
    public enum Payload: String, Sendable, Hashable, Codable, CaseIterable {
        case optional
        case required
        case forbidden
    }

    public var payload: Payload
    public var requiredMeta: [String]
    public var optionalMeta: [String]

    public init(payload: Payload = .optional, requiredMeta: [String] = [], optionalMeta: [String] = []) {
        self.payload = payload
        self.requiredMeta = requiredMeta
        self.optionalMeta = optionalMeta
    }
}
