import Foundation
import Testing

/// The systemd units in contrib/systemd are what an operator installs: they must say what a
/// Roost agent needs (graceful SIGINT, restart on failure, a state directory, enough file
/// descriptors) and pass `systemd-analyze verify` where that program exists.
@Suite struct SystemdUnitTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("contrib/systemd").path
    static let units = ["roost-server.service", "roost-worker.service"]

    static let systemdAnalyze: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static func lines(of unit: String) throws -> [String] {
        try String(contentsOfFile: directory + "/" + unit, encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") }
    }

    @Test(arguments: units)
    func aUnitRunsTheAgentFromItsConfigFileAndStopsItGracefully(unit: String) throws {
        let lines = try Self.lines(of: unit)
        let config = unit == "roost-server.service" ? "server.hcl" : "worker.hcl"
        #expect(lines.contains("Type=simple"))
        #expect(lines.contains("ExecStart=/usr/local/bin/roost agent -config /etc/roost/\(config)"))
        #expect(lines.contains("Restart=on-failure"))
        #expect(lines.contains("KillSignal=SIGINT"))
        #expect(lines.contains { $0.hasPrefix("LimitNOFILE=") })
        #expect(lines.contains { $0.hasPrefix("StateDirectory=") })
        #expect(lines.contains("WantedBy=multi-user.target"))
        #expect(FileManager.default.fileExists(atPath: Self.directory + "/" + config), "the example \(config) is missing")
    }

    @Test(.enabled(if: systemdAnalyze != nil, "skipped: systemd-analyze is not installed on this machine"))
    func theUnitsPassSystemdAnalyzeVerify() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("roost-systemd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // verify insists that ExecStart's program exists: the built binary stands in for the
        // installed one.
        let program = builtRoostExecutable ?? "/bin/true"
        var paths: [String] = []
        for unit in Self.units {
            let text = try String(contentsOfFile: Self.directory + "/" + unit, encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/roost", with: program)
            try text.write(toFile: scratch + "/" + unit, atomically: true, encoding: .utf8)
            paths.append(scratch + "/" + unit)
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try #require(Self.systemdAnalyze))
        child.arguments = ["verify"] + paths
        let output = Pipe()
        child.standardOutput = output
        child.standardError = output
        child.standardInput = FileHandle.nullDevice
        try child.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        #expect(child.terminationStatus == 0, "systemd-analyze verify: \(text)")
        #expect(!text.contains("Unknown key") && !text.contains("Failed to parse"), "\(text)")
    }
}
