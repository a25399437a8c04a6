import ClusterSecurity
import Platform
import Sodium
import Synchronization

/// One authenticated, encrypted connection between a worker (or manager) and a manager, after
/// the channel handshake (`RPCChannel+Handshake.swift`): a secretstream per direction over
/// length-prefixed frames. Frame lengths are checked against the cap before anything is read
/// or decrypted (`FrameStream`); a frame that does not authenticate ends the channel, because
/// nothing after it in the stream can be trusted.
///
/// Threading: any number of senders (sealing and writing are serialised so the stream state
/// advances in the order frames go out), one receiver; `shutdown()` from anywhere.
public final class RPCChannel: Sendable {
    /// The peer's certificate, checked by the handshake against the policy.
    public let peer: SignedCertificate
    let stream: FrameStream
    private let sealer: Mutex<SecretStreamSealer>
    private let opener: SecretStreamOpener
    let settings: RPCSettings

    init(peer: SignedCertificate, stream: FrameStream, sealer: SecretStreamSealer, opener: SecretStreamOpener, settings: RPCSettings) {
        self.peer = peer
        self.stream = stream
        self.sealer = Mutex(sealer)
        self.opener = opener
        self.settings = settings
    }

    /// Seals and writes one frame, waiting at most the settings' send timeout for buffer room.
    public func send(_ frame: RPCFrame) throws(TransportError) {
        let plaintext = frame.encoded
        guard plaintext.count <= settings.maxFrameSize else {
            throw .oversizeFrame(length: UInt64(plaintext.count), limit: settings.maxFrameSize)
        }
        let deadline = ContinuousClock.now.advanced(by: settings.sendTimeout)
        try sealer.withLock { sealer throws(TransportError) in
            try stream.send(sealer.seal(plaintext), deadline: deadline)
        }
    }

    /// The next frame; nil when the peer closed the channel between frames (or ended its
    /// stream on purpose). Throws when the stream is cut, oversized, forged or malformed.
    public func receive() throws(TransportError) -> RPCFrame? {
        guard let sealed = try stream.receive() else { return nil }
        let plaintext: [UInt8]
        do {
            let (message, isFinal) = try opener.open(sealed)
            if isFinal { return nil }
            plaintext = message
        } catch {
            throw .handshake("a frame from \(peer.certificate.nodeName) did not authenticate (\(error)); closing the channel")
        }
        do {
            return try RPCFrame(decoding: plaintext, bodyLimit: settings.maxFrameSize)
        } catch {
            throw .handshake("a frame from \(peer.certificate.nodeName) is malformed (\(error)); closing the channel")
        }
    }

    /// Ends this side's stream on purpose (a message with the FINAL tag), so the peer tells a
    /// closed channel from a cut one, then shuts the socket down. Best effort: a peer that is
    /// already gone just misses the goodbye.
    public func finish() {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(200))
        sealer.withLock { sealer in
            try? stream.send(sealer.seal([], final: true), deadline: deadline)
        }
        shutdown()
    }

    /// Wakes a blocked `receive` or `send`; safe from any thread.
    public func shutdown() { stream.socket.shutdown() }
    /// Releases the connection.
    public func close() { stream.socket.close() }
}
