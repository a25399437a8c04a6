import CSodium

/// One direction of an encrypted channel (`crypto_secretstream_xchacha20poly1305`): every
/// message is authenticated and bound to its position in the stream, so a peer or an attacker
/// on the path cannot drop, reorder, replay or truncate messages without the receiver noticing.
/// Each side holds one sealer for what it sends and one opener for what it receives.
public final class SecretStreamSealer: @unchecked Sendable {
    // @unchecked: the state is mutated by `seal` only; a channel calls it from one writer.
    public static let keyLength = Int(crypto_secretstream_xchacha20poly1305_KEYBYTES)
    public static let headerLength = Int(crypto_secretstream_xchacha20poly1305_HEADERBYTES)
    public static let overhead = Int(crypto_secretstream_xchacha20poly1305_ABYTES)

    private var state = crypto_secretstream_xchacha20poly1305_state()
    /// Sent once, before the first message, so the opener can start the same stream.
    public let header: [UInt8]

    /// nil when `key` is not 32 bytes.
    public init?(key: [UInt8]) {
        guard key.count == Self.keyLength else { return nil }
        SodiumLibrary.ensureReady()
        var header = [UInt8](repeating: 0, count: Self.headerLength)
        guard crypto_secretstream_xchacha20poly1305_init_push(&state, &header, key) == 0 else { return nil }
        self.header = header
    }

    /// Encrypts the next message. `final` marks the end of the stream: the opener then knows the
    /// stream ended on purpose rather than being cut.
    public func seal(_ message: [UInt8], final: Bool = false) -> [UInt8] {
        var sealed = [UInt8](repeating: 0, count: message.count + Self.overhead)
        let tag = UInt8(final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
        let result = crypto_secretstream_xchacha20poly1305_push(&state, &sealed, nil, message, UInt64(message.count), nil, 0, tag)
        precondition(result == 0, "crypto_secretstream push failed")
        return sealed
    }
}

public final class SecretStreamOpener: @unchecked Sendable {
    // @unchecked: mutated by `open` only; a channel calls it from one reader.
    private var state = crypto_secretstream_xchacha20poly1305_state()
    public private(set) var hasEnded = false

    /// nil when the key or the header is malformed.
    public init?(key: [UInt8], header: [UInt8]) {
        guard key.count == SecretStreamSealer.keyLength, header.count == SecretStreamSealer.headerLength else { return nil }
        SodiumLibrary.ensureReady()
        guard crypto_secretstream_xchacha20poly1305_init_pull(&state, header, key) == 0 else { return nil }
    }

    public enum Failure: Error, Sendable, Hashable {
        /// Forged, altered, replayed or out of order: the channel must be closed.
        case notAuthentic
        /// A message arrived after the one marked final.
        case afterEnd
    }

    /// The message, or a failure after which nothing more from this stream can be trusted.
    public func open(_ sealed: [UInt8]) throws(Failure) -> (message: [UInt8], isFinal: Bool) {
        guard !hasEnded else { throw .afterEnd }
        guard sealed.count >= SecretStreamSealer.overhead else { throw .notAuthentic }
        var message = [UInt8](repeating: 0, count: sealed.count - SecretStreamSealer.overhead)
        var tag: UInt8 = 0
        let result = crypto_secretstream_xchacha20poly1305_pull(&state, &message, nil, &tag, sealed, UInt64(sealed.count), nil, 0)
        guard result == 0 else { throw .notAuthentic }
        let isFinal = tag == UInt8(crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        if isFinal { hasEnded = true }
        return (message, isFinal)
    }
}
