import Jobspec

/// A command line split into the options a command declared and its positional arguments.
///
/// Accepted forms: `--name`, `-name`, `-h`, `--name=value`, `--name value`; `--` ends the
/// options; a lone `-` is a positional (standard input). Anything else that starts with a dash
/// is an unknown flag, which is a usage error with a did-you-mean hint.
struct ParsedArguments: Sendable {
    private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: [String: Bool] = [:]

    /// Every value given for a valued option, in command-line order.
    func values(of name: String) -> [String] {
        values[name] ?? []
    }

    /// The flag's value, or nil when the command line does not mention it.
    func flag(_ name: String) -> Bool? {
        flags[name]
    }

    init() {}

    init(parsing arguments: some Collection<String>, options: [OptionDescription], commandPath: String) throws(CommandError) {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            if argument == "--" {
                positionals.append(contentsOf: remaining)
                return
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                positionals.append(argument)
                continue
            }
            let dashes = argument.hasPrefix("--") ? "--" : "-"
            let body = argument.dropFirst(dashes.count)
            let name: Substring
            let inlineValue: Substring?
            if let equals = body.firstIndex(of: "=") {
                name = body[..<equals]
                inlineValue = body[body.index(after: equals)...]
            } else {
                name = body
                inlineValue = nil
            }
            guard let option = Self.option(named: name, dashes: dashes, in: options) else {
                let spelled = dashes + name
                let candidates = options.flatMap { option in
                    [dashes + option.name] + (dashes == "-" ? option.shortName.map { ["-\($0)"] } ?? [] : [])
                }
                throw .usage(
                    "unknown flag \"\(spelled)\" for \"\(commandPath)\"",
                    hint: Suggestion.hint(for: spelled, among: candidates))
            }
            let spelled = dashes + name
            switch option.kind {
            case .flag:
                guard let inlineValue else {
                    flags[option.name] = true
                    continue
                }
                guard let value = Self.boolean(inlineValue) else {
                    throw .usage("flag \"\(spelled)\" takes true or false, not \"\(inlineValue)\"")
                }
                flags[option.name] = value
            case .value(let placeholder):
                if let inlineValue {
                    values[option.name, default: []].append(String(inlineValue))
                } else if let next = remaining.first, !next.hasPrefix("-") || next == "-" {
                    remaining.removeFirst()
                    values[option.name, default: []].append(next)
                } else {
                    throw .usage("flag \"\(spelled)\" needs a value (\(spelled) \(placeholder))")
                }
            }
        }
    }

    /// Whether the words before `--` ask for help, which wins over every other problem on the line.
    static func requestsHelp(_ arguments: some Sequence<String>) -> Bool {
        for argument in arguments {
            if argument == "--" { return false }
            if argument == "-h" || argument == "--help" || argument == "-help" { return true }
        }
        return false
    }

    private static func option(named name: Substring, dashes: String, in options: [OptionDescription]) -> OptionDescription? {
        if dashes == "-", name.count == 1, let short = name.first,
            let option = options.first(where: { $0.shortName == short })
        {
            return option
        }
        return options.first { $0.name == name }
    }

    private static func boolean(_ text: Substring) -> Bool? {
        switch text.lowercased() {
        case "true", "t", "1", "yes": true
        case "false", "f", "0", "no": false
        default: nil
        }
    }
}
