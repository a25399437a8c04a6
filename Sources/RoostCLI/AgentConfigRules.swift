/// The checks an agent setting must pass, shared by the flags and the config file so that
/// both refuse the same values with the same words.
enum AgentConfigRules {
    static let ports = 0...65535
    static let bootstrapExpect = 1...9
    static let minimumSnapshotThreshold: UInt64 = 16
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
