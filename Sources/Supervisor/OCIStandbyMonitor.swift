#if canImport(Glibc)
import Glibc
#endif
import Platform

/// A container monitor (`roost oci-monitor --standby`) started before a container needs it.
///
/// Executing the agent's binary again costs 10–20 ms (it loads Foundation and its network
/// libraries) and was the largest part of a container's start. The driver therefore keeps one
/// monitor started and waiting: a container start hands it its orders (the invocation, over a
/// socket that is the monitor's stdin) and starts the next standby in the background. A
/// standby holds no container, cgroup or file: when the agent discards it or exits, the socket
/// reaches EOF and the monitor ends by itself.
struct OCIStandbyMonitor: Sendable {
    let pid: Int32
    /// The agent's end of the orders socket (the monitor's stdin).
    let orders: Int32
    /// The read end of the monitor's status pipe (its fd 3): `started <pid>` or `failed <step>`.
    let status: Int32
    let exit: ProcessExitBox

    /// Starts a monitor that waits for its orders: `executable` is `roost-oci-monitor`, or
    /// `roost` with `prefix` `["oci-monitor"]`.
    static func start(executable: String, prefix: [String]) -> Result<OCIStandbyMonitor, OCIRuntimeError> {
        var sockets: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &sockets) == 0 else {
            return .failure(OCIRuntimeError("cannot create a socket pair for the container monitor: \(String(cString: strerror(errno)))"))
        }
        var statusPipe: [Int32] = [-1, -1]
        guard OCIRuntimeProcess.makePipe(&statusPipe) else {
            close(sockets[0]); close(sockets[1])
            return .failure(OCIRuntimeError("cannot create a pipe for the container monitor: \(String(cString: strerror(errno)))"))
        }
        let spawned = OCIRuntimeProcess.spawn(
            executable, prefix + [OCIContainerMonitor.standbyFlag],
            output: .discard, statusDescriptor: statusPipe[1], input: sockets[1])
        close(sockets[1])
        close(statusPipe[1])
        switch spawned {
        case .failure(let error):
            close(sockets[0]); close(statusPipe[0])
            return .failure(OCIRuntimeError("cannot start the container monitor \(executable): \(error.message)"))
        case .success(let process):
            // Watched from the start: the agent's reaper collects it whenever it ends.
            return .success(OCIStandbyMonitor(pid: process.pid, orders: sockets[0], status: statusPipe[0], exit: ProcessExitBox(watching: process.pid)))
        }
    }

    /// Sends the invocation and closes the orders socket. False when the monitor is gone
    /// (killed while waiting): then the caller discards it (which closes both ends) and
    /// starts another.
    func hand(_ invocation: OCIContainerMonitor.Invocation) -> Bool {
        guard let bytes = invocation.orders else { return false }
        var sent = 0
        while sent < bytes.count {
            // MSG_NOSIGNAL: a dead monitor is an error here, never a SIGPIPE for the agent.
            let count = bytes[sent...].withUnsafeBytes { send(orders, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return false }
            sent += count
        }
        close(orders)
        return true
    }

    /// Lets an unused standby go: it reads EOF and exits (the reaper collects it).
    func discard() {
        close(orders)
        close(status)
    }
}
