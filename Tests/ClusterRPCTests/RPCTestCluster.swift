import ClusterSecurity
import Foundation
import Platform
import Sodium
import Testing

@testable import ClusterRPC

/// A throwaway cluster CA and the identities its tests need.
struct RPCTestCluster {
    let authority = ClusterAuthority.create()
    var serial: UInt64 = 1

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    func identity(
        _ name: String, role: NodeRole, nodeID: String = UUID().uuidString.lowercased(), serial: UInt64 = 1,
        issuedAt: Int64 = RPCTestCluster.now, validity: Int64 = 3_600
    ) -> NodeIdentity {
        let keys = Ed25519KeyPair.generate()
        let certificate = authority.issue(
            serial: serial, nodeID: nodeID, nodeName: name, role: role, publicKey: keys.publicKey, now: issuedAt, validity: validity)
        return NodeIdentity(keyPair: keys, certificate: certificate)
    }

    /// A connected pair of sockets on loopback.
    static func socketPair() throws -> (client: Socket, server: Socket) {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let client = try Socket.connect(host: "127.0.0.1", port: listener.port, timeout: .seconds(10))
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            if case .accepted(let server) = listener.accept() { return (client, server) }
            usleep(1_000)
        }
        throw RPCError(.timedOut, "loopback accept timed out")
    }

    /// Runs both sides of the handshake at once (each on its own thread); the results say
    /// what each side made of it.
    static func handshake(
        client: NodeIdentity, clientPolicy: CertificatePolicy, server: NodeIdentity, serverPolicy: CertificatePolicy,
        settings: RPCSettings = RPCSettings()
    ) async throws -> (client: Result<RPCChannel, TransportError>, server: Result<RPCChannel, TransportError>) {
        let (clientSocket, serverSocket) = try socketPair()
        async let accepted = BlockingWork.run("test-accept") { () -> Result<RPCChannel, TransportError> in
            let result = Result { () throws(TransportError) in
                try RPCChannel.accept(serverSocket, identity: server, policy: serverPolicy, settings: settings, now: now)
            }
            if case .failure = result { serverSocket.close() }
            return result
        }
        async let opened = BlockingWork.run("test-open") { () -> Result<RPCChannel, TransportError> in
            let result = Result { () throws(TransportError) in
                try RPCChannel.open(clientSocket, identity: client, policy: clientPolicy, settings: settings, now: now)
            }
            if case .failure = result { clientSocket.close() }
            return result
        }
        return (await opened, await accepted)
    }

    /// Waits (bounded generously: the machine is shared) until `condition` holds.
    static func waitFor(_ what: String, timeout: Duration = .seconds(120), _ condition: () async -> Bool) async throws {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for: \(what)")
        throw CancellationError()
    }
}
