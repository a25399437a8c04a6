/// Why bytes from the network were refused. Decoding never traps: every malformed input ends
/// here.
public enum SWIMCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    case truncated
    case unsupportedVersion(UInt8)
    case unknownTag(String, UInt8)
    case tooLong(String, Int)
    case tooMany(String, Int)
    case invalidUTF8(String)
    case overlongVarint
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .truncated: "truncated SWIM message"
        case .unsupportedVersion(let v): "unsupported SWIM codec version \(v)"
        case .unknownTag(let what, let tag): "unknown \(what) tag \(tag)"
        case .tooLong(let what, let n): "\(what) too long (\(n) bytes)"
        case .tooMany(let what, let n): "too many \(what) (\(n))"
        case .invalidUTF8(let what): "\(what) is not valid UTF-8"
        case .overlongVarint: "varint longer than 64 bits"
        case .trailingBytes(let n): "\(n) unexpected bytes after the message"
        }
    }
}
