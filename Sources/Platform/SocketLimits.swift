import Glibc

/// The process's open-file limit, which bounds how many connections a server can hold.
public enum SocketLimits {
    /// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns the limits now in force.
    ///
    /// Why: many systems start processes with a soft limit of 1,024 descriptors while allowing
    /// far more. Each connection costs one descriptor, so a server meant to hold thousands of
    /// (possibly idle) connections would otherwise fail `accept` with EMFILE long before its own
    /// `maxConnections`. Raising soft to hard is what any unprivileged process may do.
    @discardableResult
    public static func raiseOpenFileLimit() -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (0, 0) }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
                limit = raised
            }
        }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }
}
