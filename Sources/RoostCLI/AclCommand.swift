/// `roost acl`: who may call the cluster's API.
enum AclCommand: Command {
    static let name = "acl"
    static let abstract = "Manage the ACL tokens that every API call of a server cluster needs."
    static let discussion = """
        A server cluster (`roost agent -server`) refuses API calls without a token. Its first
        leader prints a management token once, when the cluster is created; use it to create
        tokens for people and programs. Commands send the token given by --token or ROOST_TOKEN.
        Dev agents (`roost agent -dev`) have no ACLs.
        """
    static var subcommands: [any Command.Type] { [AclTokenCommand.self] }
}

/// `roost acl token`: create, list, delete and inspect tokens.
enum AclTokenCommand: Command {
    static let name = "token"
    static let abstract = "Create, list, delete or inspect ACL tokens."
    static let discussion = """
        Policies: management (everything, including tokens), submit-job (register, stop and
        parse jobs in one namespace, or * for all, and read jobs, allocations, evaluations and
        nodes), read-only (every read except snapshots).
        """
    static var subcommands: [any Command.Type] {
        [AclTokenCreateCommand.self, AclTokenListCommand.self, AclTokenDeleteCommand.self, AclTokenSelfCommand.self]
    }
}
