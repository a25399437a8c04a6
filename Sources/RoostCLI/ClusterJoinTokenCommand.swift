import API

/// `roost cluster join-token worker|manager [-rotate]`: prints the role's current join token,
/// after replacing it when asked.
enum ClusterJoinTokenCommand: Command {
    static let name = "join-token"
    static let abstract = "Print the current worker or manager join token, or rotate it."
    static let usage = "worker|manager [-rotate] [-quiet] [--address URL] [--token SECRET]"
    static let discussion = """
        The token is what `roost join --token TOKEN MANAGER` needs on a new machine. -rotate
        replaces it: the old token is refused from then on, and machines that already joined
        are unaffected. Needs a management ACL token.
        """
    static var options: [OptionDescription] {
        [
            OptionDescription("rotate", displayPrefix: "-", help: "Replace the token first; the old one stops working at once."),
            OptionDescription("quiet", short: "q", displayPrefix: "-", help: "Print only the token."),
            AgentClient.addressOption,
        ]
    }

    /// The API's answer (`ManagerAPI.JoinTokenResponse`).
    struct Response: Decodable {
        var role: String
        var token: String
        var generation: UInt64
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let role = arguments.positionals.first, role == "worker" || role == "manager" else {
            throw .usage("\"\(context.commandPath)\" takes one role: worker or manager")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let rotate = arguments.flag("rotate") == true
        let path = "/v1/cluster/join-token/\(role)"
        let response: Response
        if rotate {
            let answer = try await client.send(.post, path + "?rotate=true")
            do {
                response = try APIJSON.decode(Response.self, from: answer.body)
            } catch {
                throw .failure("the agent's answer to the rotation is not a join token: \(error)")
            }
        } else {
            response = try await client.get(path, as: Response.self).value
        }
        if arguments.flag("quiet") == true {
            context.writeLine(response.token)
            return .success
        }
        if rotate { context.writeLine("Rotated the \(role) join token (generation \(response.generation)); the previous one is refused from now on.") }
        context.writeLine("To add a \(role), run on the new machine:")
        context.writeLine("")
        context.writeLine("    roost join --token \(response.token) MANAGER-ADDRESS\(role == "manager" ? " -server" : "") -data-dir DIR")
        context.writeLine("")
        return .success
    }
}
