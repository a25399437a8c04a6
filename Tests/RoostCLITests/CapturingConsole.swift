@testable import RoostCLI

/// A console that keeps what the tool wrote and serves a fixed standard input.
final class CapturingConsole: Console {
    private(set) var output = ""
    private(set) var errors = ""
    private(set) var inputReads = 0
    private let input: [UInt8]

    init(input: String = "") {
        self.input = Array(input.utf8)
    }

    func writeOutput(_ text: String) {
        output += text
    }

    func writeError(_ text: String) {
        errors += text
    }

    func readInput(limit: Int) throws(FileError) -> [UInt8] {
        inputReads += 1
        if input.count > limit {
            throw FileError("cannot read standard input: \(LocalFile.sizeLimitMessage(limit))")
        }
        return input
    }
}

/// What one run of `roost` did.
struct RoostRun {
    var status: Int32
    var output: String
    var errors: String
    var inputReads: Int
}

/// Runs the tool in-process with an empty environment unless one is given, so that the
/// machine's own NOMAD_VAR_* settings cannot change a test's outcome.
func roost(_ arguments: String..., input: String = "", environment: [String: String] = [:]) async -> RoostRun {
    await roost(arguments, input: input, environment: environment)
}

func roost(_ arguments: [String], input: String = "", environment: [String: String] = [:]) async -> RoostRun {
    let console = CapturingConsole(input: input)
    let status = await CommandLineTool.run(arguments: arguments, console: console, environment: environment)
    return RoostRun(status: status, output: console.output, errors: console.errors, inputReads: console.inputReads)
}
