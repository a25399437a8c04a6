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
    /// Why the container's record could not be written (see `launch`), nil when it was.
    var recordError: String?
}

extension OCIDriver {
    /// Starts `container` (bundle written, cgroup made) under its monitor process and
    /// waits until it runs. Blocking: call it on a blocking queue. The failure message is the
    /// runtime's own (from its log), said with the step that failed.
    ///
    /// The monitor is the standby one when there is one (see `OCIStandbyMonitor`); the next
    /// standby is then started in the background, after this container runs.
    ///
    /// `whileStarting` runs once the monitor has its orders, with the monitor's pid, while the
    /// runtime starts the container (on another core): the container's record is written
    /// there, off the start's path. It returns an error message or nil.
    func launch(
        _ container: OCIContainer, whileStarting: (_ monitorPID: Int32) -> String? = { _ in nil }
    ) -> Result<OCIMonitoredContainer, OCIRuntimeError> {
        var readEnds: [Int32] = []
        func closeAll() { readEnds.forEach { if $0 >= 0 { close($0) } } }
        for path in [container.standardOutputPipe, container.standardErrorPipe] {
            unlink(path)
            guard mkfifo(path, 0o600) == 0 else {
                closeAll()
                return .failure(OCIRuntimeError("cannot create the output pipe \(path): \(String(cString: strerror(errno))); check the data directory's file system"))
            }
            // Non-blocking, so it does not wait for a writer: the monitor opens the write ends.
            let readEnd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            readEnds.append(readEnd)
            guard readEnd >= 0 else {
                closeAll()
                return .failure(OCIRuntimeError("cannot open the output pipe \(path): \(String(cString: strerror(errno)))"))
            }
        }
        OCIStartTrace.mark(container.id, "fifos-made")
        unlink(container.exitFile)
        unlink(container.pidFile)
        let invocation = OCIContainerMonitor.Invocation(
            exitFile: container.exitFile, pidFile: container.pidFile,
            pipes: [container.standardOutputPipe, container.standardErrorPipe], runtime: runtime.launchPath,
            createArguments: runtime.runDetachedArguments(id: container.id, bundle: container.bundle, pidFile: container.pidFile, log: container.logFile),
            startArguments: [])
        var handed: OCIStandbyMonitor?
        if let standby = takeStandby() {
            if standby.hand(invocation) { handed = standby } else { standby.discard() }
        }
        if handed == nil {
            switch OCIStandbyMonitor.start(executable: monitorExecutable, prefix: monitorPrefix) {
            case .failure(let error):
                closeAll()
                return .failure(error)
            case .success(let fresh):
                if fresh.hand(invocation) {
                    handed = fresh
                } else {
                    fresh.discard()
                    closeAll()
                    return .failure(OCIRuntimeError("the container monitor \(monitorExecutable) ended before it got its orders; check that it is the agent's own roost binary"))
                }
            }
        }
        guard let monitor = handed else {
            closeAll()
            return .failure(OCIRuntimeError("cannot start the container monitor \(monitorExecutable)"))
        }
        OCIStartTrace.mark(container.id, "monitor-handed")
        let recordError = whileStarting(monitor.pid)
        OCIStartTrace.mark(container.id, "recorded")
        let answer = Self.readLine(monitor.status)
        close(monitor.status)
        OCIStartTrace.mark(container.id, "monitor-answered")
        replenishStandby()
        let fields = answer.split(separator: " ")
        guard fields.count == 2, fields[0] == "started", let initPID = Int32(fields[1]), initPID > 0 else {
            closeAll()
            let step = fields.count == 2 && fields[1] == "start" ? "start" : "create"
            let message = Self.runtimeMessage("", logFile: container.logFile)
            return .failure(OCIRuntimeError("\(runtime.kind.rawValue) could not \(step) the container: \(message)"))
        }
        return .success(OCIMonitoredContainer(
            initPID: initPID, monitorPID: monitor.pid, standardOutput: readEnds[0], standardError: readEnds[1], monitorExit: monitor.exit,
            recordError: recordError))
    }

    /// The waiting standby monitor, if any, now no longer the driver's.
    private func takeStandby() -> OCIStandbyMonitor? {
        standby.withLock { state in
            defer { state.monitor = nil }
            return state.monitor
        }
    }

    /// Starts the next standby monitor in the background unless one waits, one is starting, or
    /// the driver was shut down.
    func replenishStandby() {
        let due = standby.withLock { state in
            guard state.monitor == nil, !state.isStarting, !state.isClosed else { return false }
            state.isStarting = true
            return true
        }
        guard due else { return }
        let (executable, prefix) = (monitorExecutable, monitorPrefix)
        Self.standbyQueue.async { [self] in
            let started = try? OCIStandbyMonitor.start(executable: executable, prefix: prefix).get()
            let unwanted = standby.withLock { state -> OCIStandbyMonitor? in
                state.isStarting = false
                guard !state.isClosed, state.monitor == nil else { return started }
                state.monitor = started
                return nil
            }
            unwanted?.discard()
        }
    }

    /// Lets the standby monitor go and starts no other (agent shutdown or detach).
    public func discardStandby() {
        let unused = standby.withLock { state -> OCIStandbyMonitor? in
            state.isClosed = true
            defer { state.monitor = nil }
            return state.monitor
        }
        unused?.discard()
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
