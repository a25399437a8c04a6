/// Which cgroup interface limits are set through.
public enum CgroupVersion: String, Sendable, Hashable {
    /// One unified hierarchy with the memory, cpu and pids controllers.
    case v2
    /// Separate hierarchies per controller (possibly with a controller-less unified mount
    /// beside them: a "hybrid" host).
    case v1
}
