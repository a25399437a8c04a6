import ClusterModel

/// Restart, reschedule, update and migrate policies. Each block is partial: what it sets
/// overrides `base` (Nomad's default, or the policy of the enclosing job or group) field by
/// field, and the merged result is what Nomad validates.
extension DecodingSession {
    mutating func decodeRestart(_ block: EvaluatedBlock, onto base: RestartPolicy) -> RestartPolicy {
        let content = open(block, as: .restart)
        var policy = base
        if let attempts = wholeNumber("attempts", in: content, atLeast: 0) { policy.attempts = attempts }
        if let interval = duration("interval", in: content) { policy.interval = interval }
        if let delay = duration("delay", in: content) { policy.delay = delay }
        if let mode = choice("mode", in: content, as: RestartPolicy.Mode.self) { policy.mode = mode }
        if let render = bool("render_templates", in: content) { policy.renderTemplates = render }
        if policy.interval < .seconds(5), let attribute = content["interval"] {
            error("restart interval must be at least 5s", at: attribute.valueSpan)
        }
        if policy.attempts == 0, policy.mode == .delay, let attribute = content["attempts"] ?? content["mode"] {
            error(
                "restart mode \"delay\" with 0 attempts is ambiguous", at: attribute.valueSpan,
                hint: "use mode = \"fail\" to never restart, or allow at least 1 attempt")
        }
        let (needed, overflow) = DurationParser.nanoseconds(of: policy.delay)
            .multipliedReportingOverflow(by: Int64(clamping: policy.attempts))
        if overflow || needed > DurationParser.nanoseconds(of: policy.interval) {
            error(
                "\(policy.attempts) restarts with a delay of \(Self.describe(policy.delay)) do not fit in an interval of \(Self.describe(policy.interval))",
                at: content.headerSpan, hint: "lower attempts or delay, or raise interval")
        }
        return policy
    }

    mutating func decodeReschedule(_ block: EvaluatedBlock, onto base: ReschedulePolicy) -> ReschedulePolicy {
        let content = open(block, as: .reschedule)
        var policy = base
        if let attempts = wholeNumber("attempts", in: content, atLeast: 0) { policy.attempts = attempts }
        if let interval = duration("interval", in: content) { policy.interval = interval }
        if let delay = duration("delay", in: content) { policy.delay = delay }
        if let function = choice("delay_function", in: content, as: ReschedulePolicy.DelayFunction.self) {
            policy.delayFunction = function
        }
        if let maxDelay = duration("max_delay", in: content) { policy.maxDelay = maxDelay }
        if let unlimited = bool("unlimited", in: content) { policy.unlimited = unlimited }
        if policy.delayFunction != .constant, policy.maxDelay < policy.delay, let attribute = content["max_delay"] {
            error(
                "max_delay (\(Self.describe(policy.maxDelay))) must not be shorter than delay (\(Self.describe(policy.delay)))",
                at: attribute.valueSpan)
        }
        return policy
    }

    mutating func decodeUpdate(_ block: EvaluatedBlock, onto base: UpdateStrategy) -> UpdateStrategy {
        let content = open(block, as: .update)
        var strategy = base
        if let stagger = duration("stagger", in: content) { strategy.stagger = stagger }
        if let parallel = wholeNumber("max_parallel", in: content, atLeast: 0) { strategy.maxParallel = parallel }
        if let check = choice("health_check", in: content, as: UpdateStrategy.HealthCheck.self) {
            strategy.healthCheck = check
        }
        if let time = duration("min_healthy_time", in: content) { strategy.minHealthyTime = time }
        if let deadline = duration("healthy_deadline", in: content) { strategy.healthyDeadline = deadline }
        if let deadline = duration("progress_deadline", in: content) { strategy.progressDeadline = deadline }
        if let revert = bool("auto_revert", in: content) { strategy.autoRevert = revert }
        if let promote = bool("auto_promote", in: content) { strategy.autoPromote = promote }
        if let canary = wholeNumber("canary", in: content, atLeast: 0) { strategy.canary = canary }
        if strategy.maxParallel > 0 {
            if strategy.healthyDeadline <= .zero, let attribute = content["healthy_deadline"] {
                error("healthy_deadline must be more than 0", at: attribute.valueSpan)
            } else if strategy.minHealthyTime >= strategy.healthyDeadline {
                error(
                    "min_healthy_time (\(Self.describe(strategy.minHealthyTime))) must be shorter than healthy_deadline (\(Self.describe(strategy.healthyDeadline)))",
                    at: (content["min_healthy_time"] ?? content["healthy_deadline"])?.valueSpan ?? content.headerSpan)
            }
            if strategy.progressDeadline != .zero, strategy.progressDeadline < strategy.healthyDeadline {
                error(
                    "progress_deadline (\(Self.describe(strategy.progressDeadline))) must not be shorter than healthy_deadline (\(Self.describe(strategy.healthyDeadline)))",
                    at: (content["progress_deadline"] ?? content["healthy_deadline"])?.valueSpan ?? content.headerSpan,
                    hint: "or set progress_deadline = 0 to turn the deadline off")
            }
        }
        return strategy
    }

    mutating func decodeMigrate(_ block: EvaluatedBlock, onto base: MigrateStrategy) -> MigrateStrategy {
        let content = open(block, as: .migrate)
        var strategy = base
        if let parallel = wholeNumber("max_parallel", in: content, atLeast: 0) { strategy.maxParallel = parallel }
        // A drain cannot wait for a human, so `manual` is not offered here.
        if let check = choice("health_check", in: content, among: ["checks", "task_states"]) {
            strategy.healthCheck = UpdateStrategy.HealthCheck(rawValue: check) ?? strategy.healthCheck
        }
        if let time = duration("min_healthy_time", in: content) { strategy.minHealthyTime = time }
        if let deadline = duration("healthy_deadline", in: content) { strategy.healthyDeadline = deadline }
        if strategy.minHealthyTime >= strategy.healthyDeadline {
            error(
                "min_healthy_time (\(Self.describe(strategy.minHealthyTime))) must be shorter than healthy_deadline (\(Self.describe(strategy.healthyDeadline)))",
                at: (content["min_healthy_time"] ?? content["healthy_deadline"])?.valueSpan ?? content.headerSpan)
        }
        return strategy
    }

    /// A duration the way users write it: `10m`, `1h30m`, `500ms`.
    static func describe(_ duration: Duration) -> String {
        var nanoseconds = DurationParser.nanoseconds(of: duration)
        if nanoseconds == 0 { return "0s" }
        var text = nanoseconds < 0 ? "-" : ""
        nanoseconds = nanoseconds.magnitude > UInt64(Int64.max) ? .max : abs(nanoseconds)
        let units: [(String, Int64)] = [("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000)]
        for (name, size) in units where nanoseconds >= size {
            text += "\(nanoseconds / size)\(name)"
            nanoseconds %= size
        }
        if nanoseconds > 0 {
            text += nanoseconds % 1_000_000 == 0 ? "\(nanoseconds / 1_000_000)ms" : "\(nanoseconds)ns"
        }
        return text
    }
}
