import ClusterModel
import Foundation
import StateStore

/// The methods a worker calls on a manager over an `RPCChannel`, and their bodies. Bodies are
/// JSON of the model types (they are Codable already, and these calls are not the hot path
/// that Raft's binary codecs are); the method name says which body to expect.
public enum WorkerRPC {
    public enum Method: String, Sendable, CaseIterable {
        case registerNode
        case heartbeat
        case allocations
        case updateAllocations
        case renewCertificate
        case resolveToken
    }

    public struct RegisterNode: Codable, Sendable, Hashable {
        public var node: Node
        public init(node: Node) { self.node = node }
    }

    public struct Heartbeat: Codable, Sendable, Hashable {
        public var nodeID: NodeID
        public init(nodeID: NodeID) { self.nodeID = nodeID }
    }

    public struct HeartbeatReply: Codable, Sendable, Hashable {
        /// The TTL the managers expect heartbeats within.
        public var ttlMilliseconds: Int64
        /// The cluster's gossip keys, primary first (absent from older managers, and when the
        /// cluster's gossip is not encrypted): how a worker follows a key rotation.
        public var gossipKeys: [[UInt8]]?
        public init(ttl: Duration, gossipKeys: [[UInt8]]? = nil) {
            ttlMilliseconds = WorkerRPC.milliseconds(ttl)
            self.gossipKeys = gossipKeys
        }
        /// Clamped to [1 s, 1 h], so a hostile or broken answer cannot spin or stall the loop.
        public var ttl: Duration { .milliseconds(min(max(ttlMilliseconds, 1_000), 3_600_000)) }
    }

    /// A long poll: answer once the node's allocations changed after `since`, or after `wait`.
    public struct AllocationsQuery: Codable, Sendable, Hashable {
        public var nodeID: NodeID
        public var since: UInt64
        public var waitMilliseconds: Int64
        public init(nodeID: NodeID, since: UInt64, wait: Duration) {
            self.nodeID = nodeID
            self.since = since
            waitMilliseconds = WorkerRPC.milliseconds(wait)
        }
        /// Never negative; the server also caps it (`RPCSettings.maxLongPollWait`).
        public var wait: Duration { .milliseconds(max(waitMilliseconds, 0)) }
    }

    public struct AllocationsReply: Codable, Sendable, Hashable {
        public var allocations: [Allocation]
        public var index: UInt64
        public init(allocations: [Allocation], index: UInt64) {
            self.allocations = allocations
            self.index = index
        }
    }

    /// A batch of status reports, all for allocations of `nodeID`.
    public struct UpdateAllocations: Codable, Sendable, Hashable {
        public var nodeID: NodeID
        public var updates: [ClientAllocationUpdate]
        public init(nodeID: NodeID, updates: [ClientAllocationUpdate]) {
            self.nodeID = nodeID
            self.updates = updates
        }
    }

    /// A fresh certificate for the caller's node and key (`renewCertificate`), encoded.
    public struct RenewedCertificate: Codable, Sendable, Hashable {
        public var certificate: [UInt8]
        public init(certificate: [UInt8]) { self.certificate = certificate }
    }

    /// A client's ACL token, as the worker's own API received it: the worker holds no tokens, so
    /// it asks a manager whether the secret is one (over the encrypted channel only).
    public struct ResolveToken: Codable, Sendable, Hashable {
        public var secret: String
        public init(secret: String) { self.secret = secret }
    }

    /// The token a secret belongs to (its name and policy), or nil fields when it is unknown.
    public struct ResolvedToken: Codable, Sendable, Hashable {
        public var name: String?
        public var policy: String?
        public init(name: String?, policy: String?) {
            self.name = name
            self.policy = policy
        }
        public var isValid: Bool { policy != nil }
    }

    /// The body of a call that answers nothing but success.
    public struct Empty: Codable, Sendable, Hashable {
        public init() {}
    }

    /// Whole milliseconds, saturating instead of trapping on an absurd duration.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAgain) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return overflowAgain ? (seconds < 0 ? .min : .max) : total
    }

    public static func encode(_ value: some Encodable) throws(RPCError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            throw RPCError(.internalError, "cannot encode \(type(of: value)): \(error)")
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], method: String) throws(RPCError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw RPCError(.badRequest, "the body of \(method) is not a valid \(type): \(error)")
        }
    }
}
