#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Platform

/// A container started under its monitor: the pids, the read ends of its output pipes, and
/// the monitor's exit (the agent's child while this agent runs).
struct OCIMonitoredContainer: Sendable {
    var initPID: Int32
    var monitorPID: Int32
    var standardOutput: Int32
    var standardError: Int32
    var monitorExit: ProcessExitBox
}

extension OCIDriver {
    /// Starts `container` (bundle written, cgroup made) under a `roost oci-monitor` process and
    /// waits until it runs. Blocking: call it on a blocking queue. The failure message is the
    /// runtime's own (from its log), said with the step that failed.
    func launch(_ container: OCIContainer) -> Result<OCIMonitoredContainer, OCIRuntimeError> {
        var readEnds: [Int32] = []
        var writeEnds: [Int32] = []
        func closeAll() { (readEnds + writeEnds).forEach { if $0 >= 0 { close($0) } } }
        for path in [container.standardOutputPipe, container.standardErrorPipe] {
            unlink(path)
            guard mkfifo(path, 0o600) == 0 else {
                closeAll()
                return .failure(OCIRuntimeError("cannot create the output pipe \(path): \(String(cString: strerror(errno))); check the data directory's file system"))
            }
            // The read end first (non-blocking, so it does not wait for a writer), then the
            // write end the container inherits, which then opens at once.
            let readEnd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            let writeEnd = readEnd >= 0 ? open(path, O_WRONLY | O_CLOEXEC) : -1
            readEnds.append(readEnd)
            writeEnds.append(writeEnd)
            guard readEnd >= 0, writeEnd >= 0 else {
                closeAll()
                return .failure(OCIRuntimeError("cannot open the output pipe \(path): \(String(cString: strerror(errno)))"))
            }
        }
        var status: [Int32] = [-1, -1]
        guard OCIRuntimeProcess.makePipe(&status) else {
            closeAll()
            return .failure(OCIRuntimeError("cannot create a pipe for the container monitor: \(String(cString: strerror(errno)))"))
        }
        unlink(container.exitFile)
        unlink(container.pidFile)
        let invocation = OCIContainerMonitor.Invocation(
            exitFile: container.exitFile, pidFile: container.pidFile,
            pipes: [container.standardOutputPipe, container.standardErrorPipe], runtime: runtime.executable,
            createArguments: runtime.runDetachedArguments(id: container.id, bundle: container.bundle, pidFile: container.pidFile, log: container.logFile),
            startArguments: [])
        let spawned = OCIRuntimeProcess.spawn(
            monitorExecutable, [OCIContainerMonitor.subcommand] + invocation.arguments,
            output: .descriptors(writeEnds[0], writeEnds[1]), statusDescriptor: status[1])
        writeEnds.forEach { close($0) }
        writeEnds = []
        close(status[1])
        guard case .success(let monitor) = spawned else {
            close(status[0])
            closeAll()
            if case .failure(let error) = spawned { return .failure(OCIRuntimeError("cannot start the container monitor: \(error.message)")) }
            return .failure(OCIRuntimeError("cannot start the container monitor"))
        }
        let monitorExit = ProcessExitBox(watching: monitor.pid)
        let answer = Self.readLine(status[0])
        close(status[0])
        let fields = answer.split(separator: " ")
        guard fields.count == 2, fields[0] == "started", let initPID = Int32(fields[1]), initPID > 0 else {
            closeAll()
            let step = fields.count == 2 && fields[1] == "start" ? "start" : "create"
            let message = Self.runtimeMessage("", logFile: container.logFile)
            return .failure(OCIRuntimeError("\(runtime.kind.rawValue) could not \(step) the container: \(message)"))
        }
        return .success(OCIMonitoredContainer(
            initPID: initPID, monitorPID: monitor.pid, standardOutput: readEnds[0], standardError: readEnds[1], monitorExit: monitorExit))
    }

    /// Opens a running (or ended) container's output pipes again, for a new agent.
    static func reopenPipes(_ container: OCIContainer) -> (Int32, Int32)? {
        let output = open(container.standardOutputPipe, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        let error = open(container.standardErrorPipe, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard output >= 0, error >= 0 else {
            if output >= 0 { close(output) }
            if error >= 0 { close(error) }
            return nil
        }
        return (output, error)
    }

    /// The monitor's one status line (it closes the pipe right after; EOF alone means it died).
    private static func readLine(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while bytes.count < 4096 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
