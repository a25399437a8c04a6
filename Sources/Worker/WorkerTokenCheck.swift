import ClusterRPC
import HTTP
import Synchronization

/// The ACL gate of a worker's own API (task logs): every call needs a token of the cluster,
/// as on the managers. Reads are open to every policy, so the only question is whether the
/// secret is a token, which a manager answers (`resolve`).
///
/// Answers are cached per secret so that following a log or paging through it costs one
/// question: a valid token for `validFor`, an unknown one for `invalidFor` (short, so a token
/// created a moment ago works almost at once). So a deleted token keeps reading logs on a worker
/// that checked it for at most `validFor`.
public final class WorkerTokenCheck: Sendable {
    let resolve: @Sendable (String) async throws -> WorkerRPC.ResolvedToken
    let now: @Sendable () -> ContinuousClock.Instant
    let validFor: Duration
    let invalidFor: Duration
    private let cache = Mutex<[String: (valid: Bool, until: ContinuousClock.Instant)]>([:])
    /// Bounds the cache: a client sending random secrets cannot grow it without limit.
    static let maximumCachedSecrets = 1_024

    static let missingTokenMessage = "no ACL token given: set ROOST_TOKEN or --token (this worker's API needs a token of the cluster)"
    static let invalidTokenMessage = "the ACL token is not valid (unknown or deleted)"

    public init(
        validFor: Duration = .seconds(30), invalidFor: Duration = .seconds(2),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        resolve: @escaping @Sendable (String) async throws -> WorkerRPC.ResolvedToken
    ) {
        self.resolve = resolve
        self.now = now
        self.validFor = validFor
        self.invalidFor = invalidFor
    }

    /// nil when the request may go on; else the 401 (no or unknown token) or 503 (no manager
    /// could say) answer.
    public func refusal(of request: HTTPRequest) async -> HTTPResponse? {
        guard let secret = request.headers.aclTokenSecret else { return Self.unauthorized(Self.missingTokenMessage) }
        let instant = now()
        if let cached = cache.withLock({ $0[secret] }), instant < cached.until {
            return cached.valid ? nil : Self.unauthorized(Self.invalidTokenMessage)
        }
        let resolved: WorkerRPC.ResolvedToken
        do {
            resolved = try await resolve(secret)
        } catch {
            return .error(.serviceUnavailable, "cannot check the ACL token: no manager answered (\(error)); try again when a manager is reachable")
        }
        cache.withLock { cache in
            if cache.count >= Self.maximumCachedSecrets { cache = cache.filter { instant < $0.value.until } }
            if cache.count >= Self.maximumCachedSecrets { cache.removeAll() }
            cache[secret] = (resolved.isValid, instant.advanced(by: resolved.isValid ? validFor : invalidFor))
        }
        return resolved.isValid ? nil : Self.unauthorized(Self.invalidTokenMessage)
    }

    static func unauthorized(_ message: String) -> HTTPResponse {
        .error(.unauthorized, message, headers: ["WWW-Authenticate": "Bearer"])
    }
}
