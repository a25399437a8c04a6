// libFuzzer entry point for the gossip packet opener. `contrib/fuzz.sh` builds it with
// `swift build -c release --sanitize=fuzzer`; a plain build makes a harmless stub that only
// says so (see Fuzz/JobspecFuzzer/main.swift for why the notice is a global constant).
import Gossip
import SWIM

let cluster = GossipSettings.clusterID(of: "fuzz")
// A fixed key, so that runs replay; the input almost never authenticates under it, which is
// the point: the opener must refuse without trapping.
let sealedKeyring = (try? GossipKeyring(primary: [UInt8](repeating: 7, count: GossipKeyring.keyLength))) ?? GossipKeyring()

/// Any bytes must open to a header and body or a drop reason, never a crash; a plaintext body
/// must decode or be refused, and what decodes must survive its own round trip.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = GossipPacket.authenticate(bytes, clusterID: cluster, keyring: sealedKeyring)
    // The plaintext cluster accepts any header with the right cluster ID: prepend one so the
    // fuzzer reaches the body decoders at once.
    let header = GossipPacketHeader(isSealed: false, keyID: 0, clusterID: cluster, sender: SWIMNodeID(1), sequence: 1)
    for packet in [bytes, header.encoded + bytes] {
        guard case .success(let (_, body)) = GossipPacket.authenticate(packet, clusterID: cluster, keyring: GossipKeyring()),
              let decoded = GossipBody.decode(body) else { continue }
        guard GossipBody.decode(decoded.encoded) == decoded else { fatalError("a decoded body did not survive its round trip") }
        if case .datagrams(let messages) = decoded {
            for message in messages { _ = try? SWIMCodec.decode(message) }
        }
    }
    return 0
}

private let stubNotice: Void = print(
    "GossipPacketFuzzer is a libFuzzer target: run contrib/fuzz.sh (or make fuzz) to build and run it.")
