import ClusterModel
import Foundation
import HTTP
import Synchronization

/// Forwards writes to the leader's `POST /v1/internal/apply` (see `ManagerAPI`), keeping one
/// client (and its kept-alive connections) per leader address.
public final class HTTPLeaderForwarder: LeaderForwarding {
    /// Sent by a manager that received a forwarded write but does not lead (any more).
    public static let notLeaderHeader = "X-Roost-Not-Leader"
    private let clients = Mutex<[String: HTTPClient]>([:])
    private let settings: HTTPClientSettings

    /// The internal credential this manager presents (`InternalCredential`), nil before the
    /// cluster identity exists.
    private let credential: @Sendable () async -> String?

    public init(
        settings: HTTPClientSettings = HTTPClientSettings(connectTimeout: .seconds(2), readTimeout: .seconds(30)),
        credential: @escaping @Sendable () async -> String? = { nil }
    ) {
        self.settings = settings
        self.credential = credential
    }

    private func headers() async -> HTTPHeaders {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let value = await credential() { headers.set(InternalCredential.header, value) }
        return headers
    }

    public func submit(_ command: ReplicatedCommand, to leader: ServerEntry) async throws(ForwardingFailure) -> ReplicatedResult {
        let client = try self.client(for: leader)
        let body: [UInt8]
        do {
            // JSON, which a leader of any build reads; the leader re-encodes it for its log.
            body = try ManagerStateMachine.encode(command, binaryPlans: false)
        } catch {
            throw .notDelivered("cannot encode the command: \(error)")
        }
        let response: HTTPClientResponse
        do {
            response = try await client.send(.post, "/v1/internal/apply", headers: await headers(), body: body)
        } catch let error as HTTPClientError where error.kind == .cannotConnect || error.kind == .invalidAddress {
            throw .notDelivered("cannot reach the leader at \(leader.httpAddress): \(error)")
        } catch {
            throw .outcomeUnknown("the leader at \(leader.httpAddress) did not answer: \(error)")
        }
        if response.headers[Self.notLeaderHeader] != nil {
            throw .notDelivered("\(leader.name) no longer leads")
        }
        guard response.status.code == 200 else {
            throw .outcomeUnknown("the leader answered \(response.status.code): \(String(decoding: response.body, as: UTF8.self))")
        }
        do {
            return try JSONDecoder().decode(ReplicatedResult.self, from: Data(response.body))
        } catch {
            throw .outcomeUnknown("the leader's answer is not readable: \(error)")
        }
    }

    /// `POST /v1/internal/heartbeat` on the leader; a heartbeat is idempotent, so any failure
    /// may simply be retried by the worker's next one.
    public func heartbeat(_ node: NodeID, to leader: ServerEntry) async throws(ForwardingFailure) {
        let client = try self.client(for: leader)
        let body = Array(#"{"NodeID":"\#(node.uuid)"}"#.utf8)
        let response: HTTPClientResponse
        do {
            response = try await client.send(.post, "/v1/internal/heartbeat", headers: await headers(), body: body)
        } catch {
            throw .notDelivered("cannot reach the leader at \(leader.httpAddress): \(error)")
        }
        if response.headers[Self.notLeaderHeader] != nil { throw .notDelivered("\(leader.name) no longer leads") }
        guard response.status.code == 200 else {
            throw .notDelivered("the leader answered \(response.status.code): \(String(decoding: response.body, as: UTF8.self))")
        }
    }

    private func client(for leader: ServerEntry) throws(ForwardingFailure) -> HTTPClient {
        do {
            return try clients.withLock { clients in
                if let existing = clients[leader.httpAddress] { return existing }
                let made = try HTTPClient(address: leader.httpAddress, settings: settings)
                clients[leader.httpAddress] = made
                return made
            }
        } catch {
            throw .notDelivered("the leader's address \(leader.httpAddress) is not usable: \(error)")
        }
    }
}
