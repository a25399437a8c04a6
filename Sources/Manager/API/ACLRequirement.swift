import HTTP
import StateStore

/// What one route asks of the caller's token, and how a refusal names the action ("stopping
/// jobs in namespace prod needs …"). Every route of the manager's API states one, so a new
/// route cannot be added without deciding who may call it.
struct ACLRequirement: Sendable {
    enum Access: Sendable {
        /// The managers' own calls (formation, forwarded writes): outside ACLs. They must not be
        /// reachable by clients (docs/api.md); authenticated channels replace them later.
        case managersOnly
        /// Any valid token, whatever its policy.
        case anyToken
        /// Reads of jobs, allocations, evaluations and nodes: every policy.
        case clusterRead
        /// Other reads (the Raft configuration, the token list): management and read-only.
        case operatorRead
        /// Job writes: management, or submit-job for the namespace. `fromBody` namespaces are
        /// known only once the handler has read the job; it checks them (`ACLCaller`).
        case jobWrite(fromBody: Bool)
        case management
    }

    var access: Access
    var action: String

    static let managersOnly = ACLRequirement(access: .managersOnly, action: "")
    static func anyToken(_ action: String) -> Self { Self(access: .anyToken, action: action) }
    static func clusterRead(_ action: String) -> Self { Self(access: .clusterRead, action: action) }
    static func operatorRead(_ action: String) -> Self { Self(access: .operatorRead, action: action) }
    /// The namespace is the request's `?namespace=` (default `default`).
    static func jobWrite(_ action: String) -> Self { Self(access: .jobWrite(fromBody: false), action: action) }
    /// The namespace is the job's own, checked by the handler once it has read the body.
    static func jobWriteOfBody(_ action: String) -> Self { Self(access: .jobWrite(fromBody: true), action: action) }
    static func management(_ action: String) -> Self { Self(access: .management, action: action) }
}

/// Who is calling, once the token is known: handlers that learn a job's namespace from the
/// body check it here. Set for the duration of one request by `ManagerAPI.answer`.
struct ACLCaller: Sendable {
    @TaskLocal static var current: ACLCaller?

    var token: ACLToken

    /// The policy's verdict on `access` (for job writes, in `namespace`); nil when allowed,
    /// else the 403 message.
    func refusal(_ access: ACLRequirement.Access, action: String, namespace: String?) -> String? {
        switch (access, token.policy) {
        case (.managersOnly, _), (.anyToken, _), (.clusterRead, _), (_, .management): return nil
        case (.operatorRead, .readOnly): return nil
        case (.operatorRead, .submitJob): return "\(summary); \(action) needs management or read-only"
        case (.jobWrite(let fromBody), .submitJob):
            // At the gate a body's namespace is not known yet: any submit-job token passes there.
            guard let namespace else { return fromBody ? nil : "\(summary); \(action) needs management or submit-job" }
            if token.namespace == "*" || token.namespace == namespace { return nil }
            return "\(summary); \(action) in namespace \(namespace) needs management or submit-job for \(namespace)"
        case (.jobWrite, .readOnly):
            let place = namespace.map { " in namespace \($0)" } ?? ""
            let needed = namespace.map { "submit-job for \($0)" } ?? "submit-job"
            return "\(summary); \(action)\(place) needs management or \(needed)"
        case (.management, _): return "\(summary); \(action) needs management"
        }
    }

    /// `token "ci" has policy submit-job for namespace default`.
    var summary: String {
        var text = "token \"\(token.name)\" has policy \(token.policy.rawValue)"
        if token.policy == .submitJob, let namespace = token.namespace {
            text += namespace == "*" ? " for every namespace" : " for namespace \(namespace)"
        }
        return text
    }

    /// Called by handlers that read the job's namespace from the body. Refuses when ACLs are
    /// on but no caller was established, so a route wired without the gate fails closed.
    static func checkJobWrite(namespace: String, action: String, aclsEnabled: Bool) throws(APIRequestError) {
        guard aclsEnabled else { return }
        guard let caller = current else { throw APIRequestError(.forbidden, "\(action) needs an ACL token checked by the API") }
        if let message = caller.refusal(.jobWrite(fromBody: true), action: action, namespace: namespace) {
            throw APIRequestError(.forbidden, message)
        }
    }
}
