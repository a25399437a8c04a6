import Foundation
import Testing

/// A real `roost agent -dev` child process on a free loopback port, with its own data and
/// cgroup parent, ended by its PID (SIGINT, then SIGKILL if it does not stop in time).
final class DevAgentProcess: @unchecked Sendable {
    // @unchecked: the fields are set once in init; `process` is only read after that.
    let process: Process
    let address: String
    let dataDirectory: String
    let cgroupParent: String
    private let output: Pipe

    static let executable: String? = {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [directory.appendingPathComponent("roost").path]
        // `swift test` runs a bundle under .build/<config>/; the binary is beside it.
        candidates.append(directory.deletingLastPathComponent().appendingPathComponent("roost").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isRoot: Bool { getuid() == 0 }

    init() throws {
        let executable = try #require(Self.executable, "the roost executable is not built")
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-e2e-\(suffix)").path
        cgroupParent = "roost-e2e-\(suffix)"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["agent", "-dev", "-http-port", "0", "-data-dir", dataDirectory, "-cgroup-parent", cgroupParent]
        output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The agent prints its API address once it listens.
        var text = ""
        let handle = output.fileHandleForReading
        let deadline = Date().addingTimeInterval(20)
        while !text.contains("API address:"), Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.contains("API address:") }),
              let start = line.range(of: "http://")
        else {
            process.terminate()
            throw AgentFailure(message: "the agent did not start: \(text)")
        }
        address = String(line[start.lowerBound...]).trimmingCharacters(in: .whitespaces)
    }

    struct AgentFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// SIGINT by PID (the agent stops its tasks first), SIGKILL after 30 s; then removes the
    /// data directory and the agent's cgroup parents.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGINT)
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
        for directory in Self.cgroupDirectories(named: cgroupParent) { rmdir(directory) }
    }

    /// Every `<hierarchy>/<name>` directory under /sys/fs/cgroup (v1 controllers, the unified
    /// tree, or v2 itself).
    static func cgroupDirectories(named name: String) -> [String] {
        let root = "/sys/fs/cgroup"
        var found: [String] = []
        if FileManager.default.fileExists(atPath: "\(root)/\(name)") { found.append("\(root)/\(name)") }
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            let path = "\(root)/\(hierarchy)/\(name)"
            if FileManager.default.fileExists(atPath: path) { found.append(path) }
        }
        return found
    }

    /// Task cgroups left under this agent's parent (there must be none after a stop).
    func taskCgroups() -> [String] {
        Self.cgroupDirectories(named: cgroupParent).flatMap { parent in
            ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { entry in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: parent + "/" + entry, isDirectory: &isDirectory) && isDirectory.boolValue
            }
        }
    }

    struct CommandOutcome {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs the real CLI against this agent.
    func roost(_ arguments: String...) throws -> CommandOutcome {
        try roost(arguments)
    }

    func roost(_ arguments: [String]) throws -> CommandOutcome {
        try Self.roost(arguments, address: address)
    }

    /// Runs the real CLI against the agent at `address`, with `token` as ROOST_TOKEN.
    static func roost(_ arguments: [String], address: String, token: String? = nil) throws -> CommandOutcome {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try #require(executable, "the roost executable is not built"))
        child.arguments = arguments
        child.environment = ["ROOST_ADDR": address, "PATH": "/usr/bin:/bin"].merging(token.map { ["ROOST_TOKEN": $0] } ?? [:]) { $1 }
        let output = Pipe()
        let errors = Pipe()
        child.standardOutput = output
        child.standardError = errors
        child.standardInput = FileHandle.nullDevice
        try child.run()
        // Read both pipes concurrently so a chatty command cannot fill one and block.
        nonisolated(unsafe) var errorData = Data()
        let reader = Thread { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        while reader.isExecuting || !reader.isFinished { usleep(1_000) }
        return CommandOutcome(
            status: child.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self))
    }

    /// Writes a job file into the agent's data directory and returns its path.
    func jobFile(_ name: String, _ text: String) throws -> String {
        let path = dataDirectory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `GET path` on the API, decoded as JSON.
    func get(_ path: String) throws -> Any {
        let (status, body) = try request("GET", path)
        guard status == 200 else { throw AgentFailure(message: "GET \(path) answered \(status): \(String(decoding: body, as: UTF8.self))") }
        return try JSONSerialization.jsonObject(with: body)
    }

    /// A plain HTTP request with curl (what an operator would type), returning status and body.
    func request(_ method: String, _ path: String, body: Data? = nil, contentLength: Int? = nil) throws -> (Int, Data) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        var arguments = ["-s", "-X", method, "-o", "-", "-w", "\n%{http_code}", address + path]
        if body != nil { arguments += ["--data-binary", "@-", "-H", "Content-Type: application/json"] }
        child.arguments = arguments
        let output = Pipe()
        let input = Pipe()
        child.standardOutput = output
        child.standardInput = input
        child.standardError = FileHandle.nullDevice
        try child.run()
        if let body {
            let writer = input.fileHandleForWriting
            Thread {
                try? writer.write(contentsOf: body)
                try? writer.close()
            }.start()
        } else {
            try input.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let newline = text.lastIndex(of: "\n"), let status = Int(text[text.index(after: newline)...]) else {
            throw AgentFailure(message: "curl gave no status: \(text)")
        }
        return (status, Data(text[..<newline].utf8))
    }
}

/// Polls `condition` until it holds or `timeout` passes; the polling interval is short and the
/// bound is generous, so a slow machine only makes the test slower, never flaky.
func eventually(
    timeout: TimeInterval = 60, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () throws -> Bool
) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        usleep(100_000)
    }
    Issue.record("timed out after \(Int(timeout)) s waiting for: \(what)", sourceLocation: sourceLocation)
    throw DevAgentProcess.AgentFailure(message: "timed out waiting for \(what)")
}
