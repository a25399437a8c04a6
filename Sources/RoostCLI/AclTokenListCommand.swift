import API
import ClusterModel
import StateStore

/// `roost acl token list`: every token, without secrets.
enum AclTokenListCommand: Command {
    static let name = "list"
    static let abstract = "List the ACL tokens (never their secrets)."
    static let usage = "[--json] [--address URL] [--token SECRET]"
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else { throw .usage("\"\(context.commandPath)\" takes no arguments") }
        let client = try AgentClient.connect(arguments, in: context)
        if arguments.flag("json") == true {
            context.writeLine(try await client.getText("/v1/acl/tokens"))
            return .success
        }
        let (tokens, _) = try await client.get("/v1/acl/tokens", as: [ACLTokenStub].self)
        var table = Table("Accessor ID", "Name", "Policy", "Namespace", "Created")
        let now = Timestamp.current
        for token in tokens {
            table.append([
                token.accessorID, token.name, token.policy.rawValue, token.namespace ?? "-",
                RelativeTime.describe(nanoseconds: (now - token.createTime).totalNanoseconds),
            ])
        }
        context.console.writeOutput(tokens.isEmpty ? "No ACL tokens.\n" : table.rendered())
        return .success
    }

    /// `submit-job (namespace prod)`, `submit-job (every namespace)`, `management`.
    static func policyText(_ token: ACLTokenStub) -> String {
        guard token.policy == .submitJob, let namespace = token.namespace else { return token.policy.rawValue }
        return token.policy.rawValue + (namespace == "*" ? " (every namespace)" : " (namespace \(namespace))")
    }
}
