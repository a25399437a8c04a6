import ClusterModel

extension DecodingSession {
    /// Shorthands cron libraries (and Nomad's) accept in place of five fields.
    static let cronMacros: Set<String> = [
        "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
    ]

    mutating func decodePeriodic(_ block: EvaluatedBlock) -> PeriodicConfig? {
        let content = open(block, as: .periodic)
        var specs: [(text: String, span: SourceSpan)] = []
        if let attribute = content["cron"], let cron = string("cron", in: content) {
            specs.append((cron, attribute.valueSpan))
        }
        if let attribute = content["crons"], let crons = stringList("crons", in: content) {
            if !specs.isEmpty {
                error("set cron or crons, not both", at: attribute.nameSpan, hint: "put every schedule in crons = [ … ]")
            }
            specs.append(contentsOf: crons.map { ($0, attribute.valueSpan) })
        }
        let prohibitOverlap = bool("prohibit_overlap", in: content) ?? false
        let timeZone = string("time_zone", in: content).flatMap { $0.isEmpty ? nil : $0 } ?? "UTC"
        let enabled = bool("enabled", in: content) ?? true
        if specs.isEmpty {
            if !content.has("cron"), !content.has("crons") {
                reportMissing(
                    "periodic needs a schedule", at: content.headerSpan,
                    hint: "add cron = \"*/15 * * * *\" (minute hour day-of-month month day-of-week)")
            }
            return nil
        }
        for spec in specs {
            checkCron(spec.text, at: spec.span)
        }
        return PeriodicConfig(
            specs: specs.map(\.text), prohibitOverlap: prohibitOverlap, timeZone: timeZone, enabled: enabled)
    }

    /// A cheap check that catches typos in a schedule; the launcher parses it in full.
    /// Characters outside cron's alphabet are errors. A wrong number of fields is only a
    /// warning because Nomad's own parser accepts such files and refuses them later, when
    /// the job is submitted.
    mutating func checkCron(_ spec: String, at span: SourceSpan) {
        let fields = spec.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if fields.count == 1, let macro = fields.first, macro.hasPrefix("@") {
            if !Self.cronMacros.contains(String(macro)) {
                error(
                    "unknown cron shorthand \"\(Self.shortened(String(macro)))\"", at: span,
                    hint: Suggestion.hint(for: String(macro), among: Self.cronMacros.sorted())
                        ?? "use one of " + Self.cronMacros.sorted().joined(separator: ", "))
            }
            return
        }
        for field in fields {
            if let bad = field.unicodeScalars.first(where: { !Self.isCronCharacter($0) }) {
                error(
                    "cron expression \"\(Self.shortened(spec))\" has an unexpected character \"\(bad)\" in field \"\(Self.shortened(String(field)))\"",
                    at: span, hint: "fields hold numbers, names (JAN, MON) and the characters * , - / ? L W #")
                return
            }
        }
        if !(5...7).contains(fields.count) {
            warning(
                "cron expression \"\(Self.shortened(spec))\" has \(fields.count) field\(fields.count == 1 ? "" : "s"); a schedule needs 5 (minute hour day-of-month month day-of-week), optionally with seconds first and a year last",
                at: span, hint: "this job would never be launched; e.g. \"*/5 * * * *\" runs every five minutes")
        }
    }

    static func isCronCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "a"..."z", "A"..."Z", "*", ",", "-", "/", "?", "#": true
        default: false
        }
    }

    mutating func decodeParameterized(_ block: EvaluatedBlock) -> ParameterizedConfig {
        let content = open(block, as: .parameterized)
        var config = ParameterizedConfig()
        if let payload = choice("payload", in: content, as: ParameterizedConfig.Payload.self) {
            config.payload = payload
        }
        config.requiredMeta = stringList("meta_required", in: content) ?? []
        config.optionalMeta = stringList("meta_optional", in: content) ?? []
        if let attribute = content["meta_optional"],
            let both = config.optionalMeta.first(where: config.requiredMeta.contains)
        {
            error("\"\(both)\" is listed in both meta_required and meta_optional", at: attribute.valueSpan)
        }
        return config
    }
}
