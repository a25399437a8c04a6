import Wire

/// The manager's last frame of a join: the sealed grant, or a refusal the joiner prints.
/// Refusals are plain text and unauthenticated (a refused joiner may not hold any key); a
/// forged refusal can only make a join fail, which an attacker on the path could do anyway.
public enum JoinAnswer: Sendable, Hashable {
    case grant(sealed: [UInt8])
    case refusal(String)

    static let maximumRefusalLength = 1_024

    public var encoded: [UInt8] {
        var writer = WireWriter()
        switch self {
        case .grant(let sealed):
            writer.writeByte(1)
            writer.writeBytes(sealed)
        case .refusal(let reason):
            writer.writeByte(2)
            writer.writeString(String(decoding: reason.utf8.prefix(Self.maximumRefusalLength), as: UTF8.self))
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(HandshakeFailure) {
        self = try HandshakeMessage.decode("join answer", bytes) { reader in
            switch try reader.readByte("answer") {
            case 1: return JoinAnswer.grant(sealed: try reader.readBytes("grant", limit: JoinGrant.maximumSize + 64))
            case 2: return JoinAnswer.refusal(try reader.readString("refusal", limit: Self.maximumRefusalLength + 8))
            default: throw HandshakeFailure.unexpectedMessage("expected the manager's grant or refusal")
            }
        }
    }
}
