import Foundation
@testable import RoostCLI
import Testing

/// `roost` next to the test bundle, when it was built.
let builtRoostExecutable: String? = {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidate = directory.appendingPathComponent("roost").path
    return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
}()

/// The real binary, run as a child process: the exit status reaches the shell, and results and
/// errors go to different streams. Runs when `swift build --build-tests` (as `make test` does)
/// has built `roost` next to the test bundle.
@Suite(.enabled(if: builtRoostExecutable != nil, "the roost executable is not built"))
struct RoostExecutableTests {
    struct Outcome {
        var status: Int32
        var output: String
        var errors: String
    }

    func runExecutable(_ arguments: String...) throws -> Outcome {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try #require(builtRoostExecutable))
        child.arguments = arguments
        child.environment = [:]
        let output = Pipe()
        let errors = Pipe()
        child.standardOutput = output
        child.standardError = errors
        child.standardInput = FileHandle.nullDevice
        try child.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        return Outcome(
            status: child.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self))
    }

    @Test func versionGoesToStandardOutputWithStatusZero() async throws {
        let outcome = try runExecutable("version")
        #expect(outcome.status == 0)
        #expect(outcome.output == RoostVersion.banner + "\n")
        #expect(outcome.errors.isEmpty)
    }

    @Test func usageErrorGoesToStandardErrorWithStatus64() async throws {
        let outcome = try runExecutable("job", "valdate", "web.hcl")
        #expect(outcome.status == 64)
        #expect(outcome.output.isEmpty)
        #expect(outcome.errors.hasPrefix("error: unknown command \"valdate\" for \"roost job\"\n"))
    }

    @Test func unreadableFileGivesStatusOne() async throws {
        let outcome = try runExecutable("job", "validate", "/nonexistent/web.hcl")
        #expect(outcome.status == 1)
        #expect(outcome.errors == "error: cannot read \"/nonexistent/web.hcl\": No such file or directory\n")
    }

    @Test func emptyStandardInputIsReadForDash() async throws {
        let outcome = try runExecutable("fmt", "-")
        #expect(outcome.status == 0)
        #expect(outcome.output.isEmpty)
    }
}

/// `roost agent -worker` on a machine that has not joined says what to do first.
@Suite struct WorkerAgentStartTests {
    @Test func aWorkerWithoutCredentialsSaysToJoinFirst() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = try RoostExecutableTests().runExecutable("agent", "-worker", "-data-dir", directory.path, "-http-port", "0", "-serf-port", "0")
        #expect(run.status == 1)
        #expect(run.errors.contains("holds no node credentials") && run.errors.contains("roost join --token"), "\(run.errors)")
    }
}
