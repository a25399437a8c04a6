/// `roost cluster`: the cluster's membership credentials.
enum ClusterCommand: Command {
    static let name = "cluster"
    static let abstract = "Show or rotate the tokens that let new machines join the cluster."
    static let discussion = """
        A server cluster's first leader creates its identity (cluster ID, CA key, gossip keys)
        and prints a worker and a manager join token once. `roost join --token TOKEN ADDRESS` on
        another machine uses one to become a member.
        """
    static var subcommands: [any Command.Type] { [ClusterJoinTokenCommand.self] }
}
