// libFuzzer entry point for the jobspec pipeline. `contrib/fuzz.sh` builds it with
// `swift build -c release --sanitize=fuzzer`; a plain build makes a harmless stub that only
// says so.
//
// With the fuzzer sanitizer SwiftPM compiles this file as a library (libFuzzer supplies
// `main`), where top-level statements are a syntax error even inside an inactive `#if`. A
// global constant is legal in both modes: in a plain build the top-level code of main.swift
// initialises it (printing the notice); in the fuzzer build nothing ever reads it.
import Jobspec

/// Any bytes must come back as a job or as diagnostics, never as a crash, a hang or a leak
/// of memory; and a file that formats must format to itself a second time.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let source = SourceFile(name: "fuzz.hcl", bytes: bytes)
    _ = JobFile.load(source)

    var sink = DiagnosticSink(source: source)
    if let formatted = Formatter.format(source, into: &sink) {
        let again = SourceFile(name: "formatted.hcl", text: formatted)
        var secondSink = DiagnosticSink(source: again)
        guard let twice = Formatter.format(again, into: &secondSink) else {
            fatalError("formatted text does not parse:\n\(secondSink.diagnostics.map { $0.rendered(in: again) })")
        }
        if twice != formatted {
            fatalError("formatting is not idempotent")
        }
    }
    return 0
}

private let stubNotice: Void = print(
    "JobspecFuzzer is a libFuzzer target: run contrib/fuzz.sh (or make fuzz) to build and run it.")
