#if canImport(Glibc)
import Glibc
#endif

/// Phase marks on the way from an allocation to a running container, written to stderr when
/// the agent runs with `ROOST_OCI_TRACE=1`. Start latency is spread over the agent, the
/// container monitor (another process) and the runtime, so each mark carries the system-wide
/// monotonic clock in microseconds: marks of the agent and of the monitor line up, and the
/// gaps between them show where the time goes. Off by default: one getenv at first use.
enum OCIStartTrace {
    /// Read once; the monitor inherits the variable from the agent's environment only when the
    /// agent passes it on (see `OCIDriver.launch`).
    static let isEnabled: Bool = {
        guard let value = getenv("ROOST_OCI_TRACE") else { return false }
        return String(cString: value) == "1"
    }()

    /// Where container monitors append their own marks (`ROOST_OCI_TRACE_FILE`, passed on to
    /// them); nil unless set.
    static let monitorTraceFile: String? = {
        guard let value = getenv("ROOST_OCI_TRACE_FILE") else { return nil }
        let path = String(cString: value)
        return path.hasPrefix("/") ? path : nil
    }()

    /// Microseconds on CLOCK_MONOTONIC (shared by every process on the machine).
    static func nowMicroseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1000
    }

    /// Writes `roost-oci-trace <µs> <subject> <phase>` to stderr (one write, so lines of
    /// concurrent containers do not interleave).
    static func mark(_ subject: String, _ phase: String) {
        guard isEnabled else { return }
        let line = "roost-oci-trace \(nowMicroseconds()) \(subject) \(phase)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}
