import API
import Jobspec
import StateStore

/// `roost acl token create -name NAME -policy POLICY [-namespace NS]`: a new token, whose
/// secret is printed this once.
enum AclTokenCreateCommand: Command {
    static let name = "create"
    static let abstract = "Create an ACL token and print its secret (shown only this once)."
    static let usage = "-name NAME -policy management|submit-job|read-only [-namespace NS] [--json] [--address URL] [--token SECRET]"
    static let discussion = """
        The cluster keeps only a hash of the secret: store it now (a secret manager, a CI
        variable). A lost secret cannot be recovered; delete the token and create another.
        """
    static var options: [OptionDescription] {
        [
            OptionDescription("name", kind: .value(placeholder: "NAME"), displayPrefix: "-", help: "What the token is for, e.g. ci."),
            OptionDescription(
                "policy", kind: .value(placeholder: "POLICY"), displayPrefix: "-",
                help: "management, submit-job or read-only."),
            OptionDescription(
                "namespace", kind: .value(placeholder: "NS"), displayPrefix: "-",
                help: "For submit-job: the namespace its job writes are limited to (default: default; * for all)."),
            OptionDescription("json", help: "Print the API's JSON answer (with the secret) instead of text."),
            AgentClient.addressOption,
        ]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else { throw .usage("\"\(context.commandPath)\" takes no arguments; give the name with -name") }
        guard let name = arguments.values(of: "name").last, !name.isEmpty else {
            throw .usage("-name is required", hint: "name the token after who or what uses it, e.g. -name ci")
        }
        guard let policyText = arguments.values(of: "policy").last else {
            throw .usage("-policy is required: management, submit-job or read-only")
        }
        guard let policy = ACLPolicy(rawValue: policyText) else {
            let names = ACLPolicy.allCases.map(\.rawValue)
            throw .usage(
                "unknown policy \"\(policyText)\": use \(names.joined(separator: ", "))",
                hint: Suggestion.hint(for: policyText, among: names))
        }
        let namespace = arguments.values(of: "namespace").last
        if namespace != nil && policy != .submitJob {
            throw .usage("-namespace applies to submit-job tokens only; a \(policy.rawValue) token covers every namespace")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let request = ACLTokenCreateRequest(name: name, policy: policy, namespace: namespace)
        let body: [UInt8]
        do {
            body = try APIJSON.encode(request)
        } catch {
            throw .failure("cannot encode the request: \(error)")
        }
        let response = try await client.send(.post, "/v1/acl/token", body: body)
        if arguments.flag("json") == true {
            context.writeLine(String(decoding: response.body, as: UTF8.self))
            return .success
        }
        let created: ACLTokenStub
        do {
            created = try APIJSON.decode(ACLTokenStub.self, from: response.body)
        } catch {
            throw .failure("the agent's answer could not be read: \(error)")
        }
        guard let secret = created.secretID else { throw .failure("the agent did not return the token's secret") }
        context.writeLine("==> Created ACL token \"\(created.name)\"")
        var fields = Table("Field", "Value")
        fields.append(["Accessor ID", created.accessorID])
        fields.append(["Secret ID", secret])
        fields.append(["Policy", AclTokenListCommand.policyText(created)])
        context.console.writeOutput(JobStatusCommand.fieldLines(fields))
        context.writeLine("The secret is shown only this once: store it now.")
        return .success
    }
}
