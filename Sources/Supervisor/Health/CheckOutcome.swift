import ClusterModel

/// What one run of a check found: its health and a short text a user can act on.
struct CheckOutcome: Sendable, Hashable {
    var status: ServiceCheckHealth
    var output: String

    init(_ status: ServiceCheckHealth, _ output: String) {
        self.status = status
        self.output = output
    }

    /// Nomad's reading of an HTTP answer: 2xx passing, 429 (Too Many Requests) warning, else critical.
    static func http(status code: Int, body: String) -> CheckOutcome {
        let health: ServiceCheckHealth =
            switch code {
            case 200..<300: .passing
            case 429: .warning
            default: .critical
            }
        let trimmed = body.trimmingWhitespace()
        return CheckOutcome(health, trimmed.isEmpty ? "HTTP \(code)" : "HTTP \(code): \(trimmed)")
    }

    /// Nomad's reading of a script's exit: 0 passing, 1 warning, anything else critical.
    static func script(exitCode: Int, signal: Int?, output: String) -> CheckOutcome {
        let trimmed = output.trimmingWhitespace()
        if let signal {
            let text = "killed by signal \(signal)"
            return CheckOutcome(.critical, trimmed.isEmpty ? text : "\(text): \(trimmed)")
        }
        let health: ServiceCheckHealth =
            switch exitCode {
            case 0: .passing
            case 1: .warning
            default: .critical
            }
        return CheckOutcome(health, trimmed.isEmpty ? "exit code \(exitCode)" : trimmed)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
