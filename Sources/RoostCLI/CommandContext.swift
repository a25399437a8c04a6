import Jobspec

/// What a running command may use from the outside world besides the file system: the console
/// and the environment (for `NOMAD_VAR_*`), and where it sits in the tree, for messages.
struct CommandContext {
    let console: any Console
    let environment: [String: String]
    /// Runs `roost agent`; supplied by the executable, which links the manager and worker.
    var agentLauncher: AgentLauncher? = nil
    /// The command's words, e.g. `["roost", "job", "validate"]`.
    let path: [String]

    var commandPath: String { path.joined(separator: " ") }

    func writeLine(_ line: String) {
        console.writeOutput(line + "\n")
    }

    func writeErrorLine(_ line: String) {
        console.writeError(line + "\n")
    }

    /// Every diagnostic of a file, rendered with its source line, on standard error.
    func report(_ diagnostics: [Diagnostic], in source: SourceFile) {
        for diagnostic in diagnostics {
            writeErrorLine(diagnostic.rendered(in: source))
        }
    }

    func descending(into name: String) -> CommandContext {
        CommandContext(console: console, environment: environment, agentLauncher: agentLauncher, path: path + [name])
    }
}
