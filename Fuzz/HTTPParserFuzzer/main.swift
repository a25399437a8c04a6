// libFuzzer entry point for the HTTP parsers. `contrib/fuzz.sh` builds it with
// `swift build -c release --sanitize=fuzzer`; a plain build makes a harmless stub that only
// says so (see Fuzz/JobspecFuzzer/main.swift for why the notice is a global constant).
import HTTP

/// Any bytes must come back as requests or a failure, never a crash or a hang; and the
/// parser must not depend on how the bytes were split across reads: feeding everything at
/// once and feeding it in pieces must give the same requests and the same failure.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let small = HTTPParserLimits(maxRequestLineBytes: 64, maxHeaderBytes: 256, maxHeaderCount: 4, maxBodyBytes: 128)
    for limits in [HTTPParserLimits(), small] {
        let whole = outcome(of: bytes, limits: limits, pieceSize: bytes.count)
        let pieceSize = 1 + Int(bytes.first ?? 0) % 7
        let pieces = outcome(of: bytes, limits: limits, pieceSize: pieceSize)
        if whole != pieces {
            fatalError("split-dependent parse: whole \(whole) vs pieces of \(pieceSize) \(pieces)")
        }
    }
    var response = HTTPResponseParser(requestMethod: .get)
    response.append(contentsOf: bytes)
    var steps = 0
    loop: while steps < 100_000 {
        steps += 1
        switch response.next() {
        case .needMoreData, .end, .failure: break loop
        case .head, .body: continue
        }
    }
    _ = response.finishAtEndOfFile()
    return 0
}

/// The requests (method, target, body) and the failure status a parse produces.
struct Outcome: Equatable {
    var requests: [String] = []
    var failure: Int?
}

func outcome(of bytes: [UInt8], limits: HTTPParserLimits, pieceSize: Int) -> Outcome {
    var parser = HTTPRequestParser(limits: limits)
    var result = Outcome()
    var offset = 0
    while true {
        let end = min(bytes.count, offset + max(1, pieceSize))
        parser.append(contentsOf: bytes[offset..<end])
        offset = end
        drain: while true {
            switch parser.next() {
            case .request(let request):
                result.requests.append("\(request.method) \(request.target) \(request.body)")
                _ = request.queryItems
            case .continueExpected:
                continue
            case .needMoreData:
                break drain
            case .failure(let error):
                result.failure = error.status.code
                return result
            }
        }
        if offset == bytes.count { return result }
    }
}

private let stubNotice: Void = print(
    "HTTPParserFuzzer is a libFuzzer target: run contrib/fuzz.sh (or make fuzz) to build and run it.")
