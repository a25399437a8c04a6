/// The limits of one task's cgroup, in the units the kernel files take.
public struct CgroupLimits: Sendable, Hashable {
    /// The hard memory limit (OOM kill above it).
    public var memoryBytes: Int64?
    /// A soft limit the kernel reclaims towards under pressure (set when `memory_max`
    /// oversubscribes: the reservation becomes the soft limit).
    public var memorySoftBytes: Int64?
    /// v1 `cpu.shares`; v2 `cpu.weight` is derived from it.
    public var cpuShares: Int?
    public var pidsMax: Int?

    public init(memoryBytes: Int64? = nil, memorySoftBytes: Int64? = nil, cpuShares: Int? = nil, pidsMax: Int? = nil) {
        self.memoryBytes = memoryBytes
        self.memorySoftBytes = memorySoftBytes
        self.cpuShares = cpuShares
        self.pidsMax = pidsMax
    }

    /// Limits for a task that reserves `memoryMiB` (hard ceiling `memoryMaxMiB` when larger) and
    /// `cpuMHz`. Shares equal MHz, as Nomad does, clamped to what the kernel accepts.
    public init(memoryMiB: Int, memoryMaxMiB: Int, cpuMHz: Int, pidsMax: Int?) {
        let mebibyte: Int64 = 1 << 20
        let reserved = Int64(clamping: max(memoryMiB, 0))
        let ceiling = Int64(clamping: max(memoryMaxMiB, 0))
        let cap = Int64.max / mebibyte
        if ceiling > reserved {
            memoryBytes = min(ceiling, cap) * mebibyte
            memorySoftBytes = reserved > 0 ? min(reserved, cap) * mebibyte : nil
        } else {
            memoryBytes = reserved > 0 ? min(reserved, cap) * mebibyte : nil
            memorySoftBytes = nil
        }
        cpuShares = min(max(cpuMHz, 2), 262_144)
        self.pidsMax = pidsMax.map { max($0, 1) }
    }

    /// cgroup v2 `cpu.weight` (1...10000) for v1 shares (2...262144), the kernel's own mapping.
    public var cpuWeight: Int? {
        guard let shares = cpuShares else { return nil }
        let clamped = min(max(shares, 2), 262_144)
        return 1 + ((clamped - 2) * 9999) / 262_142
    }
}
