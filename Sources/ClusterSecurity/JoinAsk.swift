import Wire

/// What the joiner asks for, sent sealed right after its proof: the role it wants. The
/// manager grants it only when the token that verified is that role's, so a worker token can
/// never yield a manager certificate, and the joiner learns precisely why not.
public struct JoinAsk: Sendable, Hashable {
    static let label = "roost join ask v1"
    public var role: NodeRole

    public init(role: NodeRole) { self.role = role }

    public func sealed(with session: ChannelSession) -> [UInt8] {
        SessionBox.seal([1, role.rawValue], label: Self.label, key: session.keys.transmit)
    }

    public init(opening sealed: [UInt8], with session: ChannelSession) throws(HandshakeFailure) {
        guard let plain = SessionBox.open(sealed, label: Self.label, key: session.keys.receive) else {
            throw .malformed("the joiner's request does not open with the session key")
        }
        guard plain.count == 2, plain[0] == 1, let role = NodeRole(rawValue: plain[1]) else {
            throw .malformed("the joiner's request names no known role")
        }
        self.role = role
    }
}
