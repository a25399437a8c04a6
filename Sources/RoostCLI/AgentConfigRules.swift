/// The checks an agent setting must pass, shared by the flags and the config file so that
/// both refuse the same values with the same words.
enum AgentConfigRules {
    static let ports = 0...65535
    static let bootstrapExpect = 1...9
    static let minimumSnapshotThreshold: UInt64 = 16
    public static let defaultCertificateValidity: Duration = .seconds(30 * 86_400)
    /// From a minute (tests and drills of renewal) to ten years.
    static let certificateValidity: ClosedRange<Duration> = .seconds(60) ... .seconds(10 * 365 * 86_400)
    public static let defaultWorkerDownGrace: Duration = .seconds(15)
    static let workerDownGrace: ClosedRange<Duration> = .zero ... .seconds(86_400)
    public static let defaultJobGarbageThreshold: Duration = .seconds(4 * 3_600)
    /// From a minute to a year: dead jobs kept for less than a minute would vanish before
    /// anyone read their outcome.
    static let jobGarbageThreshold: ClosedRange<Duration> = .seconds(60) ... .seconds(365 * 86_400)

    /// `60s`, `720h`: how the ranges above are named in errors.
    static func describe(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        return seconds % 3_600 == 0 && seconds > 0 ? "\(seconds / 3_600)h" : "\(seconds)s"
    }
    static let logLevels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]

    /// A cgroup name the agent may create: plain, no path.
    static func isCgroupName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    /// The canonical (upper-case) log level, or nil when `text` is not one.
    static func logLevel(_ text: String) -> String? {
        let upper = text.uppercased()
        return logLevels.contains(upper) ? upper : nil
    }
}
