import Sodium

extension JoinToken {
    /// The current token of `role`, derived from the CA's private seed rather than stored: the
    /// replicated state then holds no token at all (a leaked snapshot without the seed yields
    /// none), `roost cluster join-token` can show the same token again, and rotating is only a
    /// generation bump, after which the old token matches no derived key.
    ///
    /// secret = BLAKE2b-256(key: CA seed, "roost join token v1" ‖ role byte ‖ generation u64 BE)
    public static func derived(caSeed: [UInt8], caPublicKey: [UInt8], role: NodeRole, generation: UInt64) -> JoinToken {
        var message = Array("roost join token v1".utf8)
        message.append(role.rawValue)
        for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: generation >> UInt64(shift))) }
        return JoinToken(caPublicKey: caPublicKey, secret: GenericHash.hash(message, key: caSeed, length: secretLength))
    }
}
