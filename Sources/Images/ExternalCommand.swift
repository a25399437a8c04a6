import Foundation

/// Runs a system tool (`tar`, `gzip`) to completion, its stdout into a file or a pipe the
/// caller reads. Foundation's launcher waits for its own child only, so the agent's reaper of
/// task processes is not disturbed.
enum ExternalCommand {
    /// The first of `names` found in the usual system directories.
    static func find(_ names: [String]) -> String? {
        for name in names {
            for directory in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
                let path = directory + "/" + name
                if access(path, X_OK) == 0 { return path }
            }
        }
        return nil
    }

    /// Runs `executable` with stdout into `outputPath` (or discarded); returns the exit status
    /// and the first 4 KiB of stderr.
    static func run(_ executable: String, _ arguments: [String], stdoutTo outputPath: String? = nil) throws(ImageError) -> (status: Int32, stderr: String) {
        let child = Foundation.Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = arguments
        let errorPipe = Pipe()
        child.standardError = errorPipe
        child.standardInput = FileHandle.nullDevice
        var output: FileHandle?
        if let outputPath {
            guard FileManager.default.createFile(atPath: outputPath, contents: nil), let handle = FileHandle(forWritingAtPath: outputPath) else {
                throw ImageError(.io, "cannot create \(outputPath)")
            }
            output = handle
            child.standardOutput = handle
        } else {
            child.standardOutput = FileHandle.nullDevice
        }
        defer { try? output?.close() }
        do {
            try child.run()
        } catch {
            throw ImageError(.io, "cannot run \(executable): \(error.localizedDescription)")
        }
        let errorBytes = (try? errorPipe.fileHandleForReading.readToEnd()) ?? Data()
        child.waitUntilExit()
        return (child.terminationStatus, String(decoding: errorBytes.prefix(4096), as: UTF8.self))
    }
}
