// libFuzzer entry point for the gossip packet decoder. `contrib/fuzz.sh` builds it with
// `swift build -c release --sanitize=fuzzer`; a plain build makes a harmless stub that only
// says so (see Fuzz/JobspecFuzzer/main.swift for why the notice is a global constant).
import SWIM

/// Any bytes must decode to a message (or a push-pull state) or a `SWIMCodecError`, never a
/// crash, a hang or a huge allocation; and whatever decodes must survive its own round trip.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let message = try? SWIMCodec.decode(bytes) {
        guard let encoded = try? SWIMCodec.encode(message), let again = try? SWIMCodec.decode(encoded), again == message else {
            fatalError("a decoded message did not survive its round trip: \(message)")
        }
    }
    if let state = try? SWIMCodec.decodeState(bytes) {
        guard let encoded = try? SWIMCodec.encodeState(state), let again = try? SWIMCodec.decodeState(encoded), again == state else {
            fatalError("a decoded state did not survive its round trip")
        }
    }
    return 0
}

private let stubNotice: Void = print(
    "SWIMCodecFuzzer is a libFuzzer target: run contrib/fuzz.sh (or make fuzz) to build and run it.")
