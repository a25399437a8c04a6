import ClusterSecurity
import Foundation
import Manager
import RaftRuntime
import RoostCLI
import Synchronization

/// The certificate a manager presents to the other managers on Raft channels, and whether it
/// still accepts plain Raft connections (see `ManagerPeerChannelFactory` for why both exist).
///
/// Where the certificate comes from: a manager that joined with a token has one before Raft
/// starts. A founding manager has none until the cluster identity reaches it through Raft; then
/// it certifies itself through the leader (a serial recorded in Raft, like any certificate) and
/// stores the result, so that after a restart it speaks encrypted Raft from its first
/// connection. Renewal follows the same path near expiry (`joinResponderIdentity`).
///
/// Where "secure only" comes from: a marker file, written by a manager that founded its cluster
/// alone or joined with a token. Every manager of such a cluster holds a certificate before it
/// exchanges any Raft message, so none needs plain. Managers founded together without tokens
/// keep accepting plain, and say so at start.
final class ManagerRaftCredentials: Sendable {
    let serverDirectory: String
    private let current: Mutex<ManagerChannelCredentials?>
    private let secureOnly: Mutex<Bool>

    static let secureOnlyMarker = "raft-secure-only"

    init(serverDirectory: String, joinCredentials: NodeCredentials?) throws {
        self.serverDirectory = serverDirectory
        let stored = try JoinedNodeAgent.loadCredentials(in: serverDirectory) ?? joinCredentials
        current = Mutex(stored.map { ManagerChannelCredentials(identity: $0.identity, policy: Self.managerPolicy($0.policy)) })
        let markerExists = FileManager.default.fileExists(atPath: serverDirectory + "/" + Self.secureOnlyMarker)
        secureOnly = Mutex(markerExists)
        if joinCredentials != nil, !markerExists { try markSecureOnly() }
    }

    var credentials: ManagerChannelCredentials? { current.withLock { $0 } }
    var acceptsPlain: Bool { !secureOnly.withLock { $0 } }

    /// Records that this manager's cluster never needs plain Raft (it founded it alone).
    func markSecureOnly() throws {
        try "Raft between managers is authenticated and encrypted only; plain connections are refused.\n"
            .write(toFile: serverDirectory + "/" + Self.secureOnlyMarker, atomically: true, encoding: .utf8)
        secureOnly.withLock { $0 = true }
    }

    /// Hands the manager the certificate it holds, so that workers' channels and joins present
    /// the same one.
    func adopt(into manager: ManagerServer) async {
        if let identity = credentials?.identity { await manager.adoptServerIdentity(identity) }
    }

    /// Follows the replicated cluster identity: the CA and deny-list to check peers with, and
    /// this manager's own certificate (issued or renewed through the leader when missing or near
    /// expiry), stored when it changed. Returns a line to log when something changed.
    func refresh(from manager: ManagerServer, validity: Int64) async -> String? {
        guard await manager.clusterIdentity != nil else { return nil }
        let server: NodeIdentity
        let cluster: ClusterIdentity
        do {
            (server, cluster) = try await manager.joinResponderIdentity(validity: validity)
        } catch {
            return "Raft channels: cannot certify this manager yet: \(error)"
        }
        let updated = ManagerChannelCredentials(identity: server, policy: Self.managerPolicy(cluster.policy))
        let previous = current.withLock { state -> ManagerChannelCredentials? in
            let previous = state
            state = updated
            return previous
        }
        guard previous?.identity.certificate != server.certificate else { return nil }
        let grant = JoinGrant(
            certificate: server.certificate, caPublicKey: cluster.policy.caPublicKey, clusterID: cluster.clusterID, gossipKeys: [], managers: [])
        do {
            try NodeCredentialsStore.store(NodeCredentials(nodeKey: server.keyPair, grant: grant), in: serverDirectory)
        } catch {
            return "Raft channels: cannot store this manager's certificate: \(error)"
        }
        let certificate = server.certificate.certificate
        return "Raft channels: this manager's certificate is serial \(certificate.serial), valid until \(Date(timeIntervalSince1970: TimeInterval(certificate.notAfter)))"
    }

    private static func managerPolicy(_ policy: CertificatePolicy) -> CertificatePolicy {
        var policy = policy
        policy.allowedRoles = [.manager]
        return policy
    }
}
