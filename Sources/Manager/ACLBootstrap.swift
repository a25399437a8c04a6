import StateStore

/// The manager's side of creating the cluster's first management token: the token this
/// manager proposed (with its secret, held only in memory until it is shown) and where to show
/// it. The secret leaves the process only through `announce`, once.
struct ACLBootstrap: Sendable {
    var pending: (token: ACLToken, secret: String)?
    var announce: (@Sendable (String) -> Void)?
    var isRunning = false
}
