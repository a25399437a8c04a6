/// What stops a command: either the command line itself was wrong (a usage error, exit 64,
/// followed by a pointer to `--help`) or the work failed (exit 1).
struct CommandError: Error, Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case usage
        case failure
    }

    var kind: Kind
    var message: String
    /// A suggestion such as `did you mean "validate"?`.
    var hint: String?
    /// The command whose `--help` a usage error points to, when not the one that failed
    /// (`roost help jbo` points to `roost --help`).
    var helpPath: String?

    static func usage(_ message: String, hint: String? = nil, helpPath: String? = nil) -> CommandError {
        CommandError(kind: .usage, message: message, hint: hint, helpPath: helpPath)
    }

    static func failure(_ message: String, hint: String? = nil) -> CommandError {
        CommandError(kind: .failure, message: message, hint: hint)
    }

    var exitCode: ExitCode {
        switch kind {
        case .usage: .usage
        case .failure: .failure
        }
    }
}
