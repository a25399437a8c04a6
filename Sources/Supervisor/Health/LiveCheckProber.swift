#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import HTTP
import Platform
import Supervision

/// The worker's real probes: HTTP requests with the repository's `HTTPClient`, TCP connects
/// with `Socket`, and script checks spawned like tasks (same environment, working directory
/// and cgroup), killed when they overrun their timeout.
struct LiveCheckProber: CheckProber {
    /// Builds the spawn request of a script check inside its task (environment, directory,
    /// cgroup); returns a message when that is impossible (the task is gone).
    let prepareScript: @Sendable (_ task: String, _ command: String, _ arguments: [String]) async -> Result<SpawnRequest, ScriptCheckError>

    /// The most bytes of a response or a script's output a check reads; the rest is discarded.
    static let maximumReadBytes = 64 * 1024

    private static let blockingQueue = DispatchQueue(label: "roost.health.blocking", attributes: .concurrent)

    func probe(_ target: CheckTarget, timeout: Duration) async -> CheckOutcome {
        switch target {
        case .http(let request):
            return await Self.http(request, timeout: timeout)
        case .tcp(let host, let port):
            return await Self.blocking {
                do {
                    let socket = try Socket.connect(host: host, port: port, timeout: timeout)
                    socket.close()
                    return CheckOutcome(.passing, "TCP connect \(host):\(port): success")
                } catch {
                    return CheckOutcome(.critical, "TCP connect \(host):\(port): \(error)")
                }
            }
        case .script(let task, let command, let arguments):
            switch await prepareScript(task, command, arguments) {
            case .failure(let error):
                return CheckOutcome(.critical, error.message)
            case .success(let request):
                return await Self.script(request, timeout: timeout)
            }
        case .unsupported(let reason):
            return CheckOutcome(.critical, reason)
        }
    }

    // MARK: HTTP

    private static func http(_ request: HTTPCheckRequest, timeout: Duration) async -> CheckOutcome {
        let settings = HTTPClientSettings(
            connectTimeout: timeout, readTimeout: timeout, maxResponseBodyBytes: maximumReadBytes,
            serviceName: "the check's endpoint", unreachableHint: nil)
        let hostPart = request.host.contains(":") ? "[\(request.host)]" : request.host
        let address = "http://\(hostPart):\(request.port)"
        let client: HTTPClient
        do {
            client = try HTTPClient(address: address, settings: settings)
        } catch {
            return CheckOutcome(.critical, "\(request.method) \(address)\(request.path): \(error)")
        }
        var headers = HTTPHeaders()
        for (name, values) in request.headers.sorted(by: { $0.key < $1.key }) {
            for value in values { headers.add(name, value) }
        }
        do {
            let response = try await client.send(
                HTTPMethod(request.method), request.path, headers: headers, body: Array(request.body.utf8))
            return CheckOutcome.http(status: response.status.code, body: response.bodyText)
        } catch {
            return CheckOutcome(.critical, "\(request.method) \(address)\(request.path): \(error)")
        }
    }

    // MARK: Script

    private static func script(_ request: SpawnRequest, timeout: Duration) async -> CheckOutcome {
        // Watched in the same breath as the spawn: the script joins the task's cgroup, whose
        // pids the supervisor's housekeeping adopts (and would reap with the status lost).
        let spawned: Result<(SpawnedProcess, ProcessExitBox), SpawnError> = await blocking {
            Result { () throws(SpawnError) in
                try ProcessReaper.shared.whileSpawning { () throws(SpawnError) in
                    let process = try ProcessSpawner.spawn(request)
                    return (process, ProcessExitBox(watching: process.pid))
                }
            }
        }
        let process: SpawnedProcess
        let exit: ProcessExitBox
        switch spawned {
        case .failure(let error): return CheckOutcome(.critical, "cannot run \(request.executable): \(error.message)")
        case .success(let value): (process, exit) = value
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let output = await blocking {
            readOutput(process.standardOutput, process.standardError, until: deadline)
        }
        let status = await waitForExit(exit, pid: process.pid, until: deadline)
        guard let status, output.closed else {
            return CheckOutcome(.critical, "timed out after \(DurationText.format(timeout)) and was killed")
        }
        return CheckOutcome.script(exitCode: status.code, signal: status.signal, output: output.text)
    }

    /// The script's exit status, or nil when it was still running at the deadline (it is then
    /// killed with its whole process group, and reaped).
    private static func waitForExit(_ exit: ProcessExitBox, pid: Int32, until deadline: ContinuousClock.Instant) async -> ProcessExitStatus? {
        let remaining = max(deadline - ContinuousClock.now, .zero)
        return await withTaskGroup(of: ProcessExitStatus?.self) { group in
            group.addTask { await exit.status }
            group.addTask {
                try? await Task.sleep(for: remaining)
                return nil
            }
            let first = await group.next() ?? nil
            // The group waits for the exit watcher: a script past its deadline is killed so it ends.
            if first == nil { _ = ProcessSignals.send(SIGKILL, toGroupOf: pid) }
            group.cancelAll()
            return first
        }
    }

    /// Reads a script's stdout and stderr together until both close or the deadline passes.
    private static func readOutput(_ stdout: Int32, _ stderr: Int32, until deadline: ContinuousClock.Instant) -> (text: String, closed: Bool) {
        var open = [stdout, stderr]
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        defer { for fd in [stdout, stderr] { Glibc.close(fd) } }
        while !open.isEmpty {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { break }
            let milliseconds = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), max(milliseconds, 1))
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if collected.count < maximumReadBytes { collected += buffer.prefix(min(count, maximumReadBytes - collected.count)) }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        return (String(decoding: collected, as: UTF8.self), open.isEmpty)
    }

    private static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            blockingQueue.async { continuation.resume(returning: body()) }
        }
    }
}

/// Why a script check could not be started.
struct ScriptCheckError: Error, Sendable {
    var message: String
}
