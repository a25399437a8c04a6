import ClusterSecurity

/// What a new cluster's first leader prints once, beside the bootstrap ACL token: the join
/// tokens of both roles and how to use them.
enum JoinTokenBanner {
    static func text(worker: JoinToken, manager: JoinToken) -> String {
        """
        ==> Cluster created. Join tokens (show them again with "roost cluster join-token worker|manager"):
                Worker:  \(worker)
                Manager: \(manager)
            On another machine: roost join --token TOKEN THIS-MANAGER-ADDRESS -data-dir DIR

        """
    }
}
