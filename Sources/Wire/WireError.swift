/// Why bytes from the network could not be decoded. Decoders never trap on input: every
/// malformed, truncated or oversized message ends here, and the caller drops it.
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message ended in the middle of a field.
    case truncated(field: String)
    /// A varint longer than 10 bytes, or one that does not fit the field.
    case malformedVarint(field: String)
    /// A length or count larger than what is left, or than the field's limit.
    case tooLarge(field: String, length: UInt64, limit: Int)
    /// A type tag or version this build does not know.
    case unknownTag(field: String, tag: UInt64)
    /// Bytes left over after a complete message.
    case trailingBytes(count: Int)

    public var description: String {
        switch self {
        case .truncated(let field): "truncated in \(field)"
        case .malformedVarint(let field): "malformed varint in \(field)"
        case .tooLarge(let field, let length, let limit): "\(field) is \(length) long, over the limit of \(limit)"
        case .unknownTag(let field, let tag): "unknown \(field) \(tag)"
        case .trailingBytes(let count): "\(count) bytes after the end of the message"
        }
    }
}
