// libFuzzer entry point for the wire decoders. `contrib/fuzz.sh` builds it with
// `swift build -c release --sanitize=fuzzer`; a plain build makes a harmless stub that only
// says so (see Fuzz/JobspecFuzzer/main.swift for why the notice is a global constant).
import Raft
import Wire

/// Any bytes must decode to a message or a `WireError`, never a crash, a hang or a huge
/// allocation; and whatever decodes must survive its own round trip unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? RaftMessageCodec.decode(bytes) else { return 0 }
    let again = try? RaftMessageCodec.decode(RaftMessageCodec.encode(message))
    if again != message {
        fatalError("round trip changed the message: \(message) became \(String(describing: again))")
    }
    return 0
}

private let stubNotice: Void = print(
    "WireFuzzer is a libFuzzer target: run contrib/fuzz.sh (or make fuzz) to build and run it.")
