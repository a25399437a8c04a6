import Foundation

/// Runs one of the system's programs (`ip`, `iptables`, the OCI runtime's short subcommands)
/// to completion and keeps what it printed: the few node-level jobs Roost leaves to the tools
/// a real deployment has.
enum ExternalCommand {
    struct Outcome {
        var status: Int32
        var output: String
        var error: String
        var succeeded: Bool { status == 0 }
    }

    /// Looks `name` up in the usual system directories, not the agent's PATH: the agent may
    /// run with a minimal environment (systemd), and these tools live in sbin.
    static func locate(_ name: String) -> String? {
        for directory in ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"] {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String]) -> Outcome {
        let child = Foundation.Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        child.standardOutput = output
        child.standardError = error
        child.standardInput = FileHandle.nullDevice
        do {
            try child.run()
        } catch {
            return Outcome(status: 127, output: "", error: "cannot run \(executable): \(error.localizedDescription)")
        }
        // These tools print a few lines at most (far below a pipe's 64 KiB), except listings,
        // which are read first; stderr after the exit cannot deadlock.
        let outputBytes = (try? output.fileHandleForReading.readToEnd()) ?? Data()
        child.waitUntilExit()
        let errorBytes = (try? error.fileHandleForReading.readToEnd()) ?? Data()
        return Outcome(
            status: child.terminationStatus, output: String(decoding: outputBytes.prefix(1 << 20), as: UTF8.self),
            error: String(decoding: errorBytes.prefix(8192), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
