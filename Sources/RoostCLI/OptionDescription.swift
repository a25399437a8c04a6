/// A flag or a valued option of a command, as parsed and as shown by `--help`.
///
/// Every long name is accepted with one dash or two (`-json`, `--json`), because Nomad users
/// type Go-style single-dash flags and everyone else types GNU-style ones.
struct OptionDescription: Sendable {
    enum Kind: Sendable, Equatable {
        /// `--check`, or `--check=false`.
        case flag
        /// `-var NAME=VALUE` or `-var=NAME=VALUE`; `placeholder` names the value in help.
        case value(placeholder: String)
    }

    var name: String
    var shortName: Character?
    var kind: Kind
    /// How help spells the name (`-` for Nomad's single-dash options, `--` otherwise).
    var displayPrefix: String
    var help: String

    init(_ name: String, short shortName: Character? = nil, kind: Kind = .flag, displayPrefix: String = "--", help: String) {
        self.name = name
        self.shortName = shortName
        self.kind = kind
        self.displayPrefix = displayPrefix
        self.help = help
    }

    /// `-h, --help` on every command.
    static let help = OptionDescription("help", short: "h", help: "Show this help.")

    /// The left column of the help's option list, e.g. `-var NAME=VALUE` or `-h, --help`.
    var synopsis: String {
        var text = shortName.map { "-\($0), " } ?? ""
        text += displayPrefix + name
        if case .value(let placeholder) = kind {
            text += " " + placeholder
        }
        return text
    }
}
