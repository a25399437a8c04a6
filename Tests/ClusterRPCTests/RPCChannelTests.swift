import ClusterSecurity
import Foundation
import Glibc
import Platform
import Sodium
import Synchronization
import Testing

@testable import ClusterRPC

/// The channel itself: who may open one, what a frame may be, and many calls at once.
@Suite struct RPCChannelTests {
    let cluster = RPCTestCluster()

    func established(settings: RPCSettings = RPCSettings()) async throws -> (client: RPCChannel, server: RPCChannel) {
        let worker = cluster.identity("worker-1", role: .worker)
        let manager = cluster.identity("manager-1", role: .manager)
        let (client, server) = try await RPCTestCluster.handshake(
            client: worker, clientPolicy: cluster.authority.policy(allowedRoles: [.manager]),
            server: manager, serverPolicy: cluster.authority.policy(), settings: settings)
        return (try client.get(), try server.get())
    }

    @Test func aWorkerAndAManagerOfTheSameClusterEstablishAChannelAndEachKnowsTheOthersCertificate() async throws {
        let (client, server) = try await established()
        #expect(client.peer.certificate.nodeName == "manager-1")
        #expect(server.peer.certificate.nodeName == "worker-1")
        #expect(server.peer.certificate.role == .worker)
        client.close()
        server.close()
    }

    @Test func aConnectionWhoseHandshakeSomethingElseRanBecomesAChannelThatServesCalls() async throws {
        // What the RPC port's inbound diversion does: run the responder handshake itself, look
        // at the peer's certificate, then hand the session over.
        let worker = cluster.identity("worker-1", role: .worker)
        let manager = cluster.identity("manager-1", role: .manager)
        let (clientSocket, serverSocket) = try RPCTestCluster.socketPair()
        let policy = cluster.authority.policy()
        async let serverSide = BlockingWork.run("test-divert") { () -> Result<RPCChannel, TransportError> in
            Result { () throws(TransportError) in
                let stream = FrameStream(socket: serverSocket, maxFrameSize: 4_096)
                var responder = ChannelResponder(identity: manager, policy: policy)
                let deadline = ContinuousClock.now.advanced(by: .seconds(30))
                guard let hello = try stream.receive(deadline: deadline) else { throw .truncated }
                let session: ChannelSession
                do {
                    try stream.send(try responder.receive(clientHello: hello), deadline: deadline)
                    guard let finish = try stream.receive(deadline: deadline) else { throw TransportError.truncated }
                    session = try responder.receive(clientFinish: finish, now: RPCTestCluster.now)
                } catch {
                    throw .handshake("\(error)")
                }
                return try RPCChannel.establish(over: stream, session: session)
            }
        }
        let client = try await RPCClient.connectedForTest(clientSocket, identity: worker, policy: cluster.authority.policy(allowedRoles: [.manager]))
        let server = try await serverSide.get()
        #expect(server.peer.certificate.role == .worker)
        let serving = Task { await server.serve { _, body in .success(body.reversed()) } }
        #expect(try await client.call("echo", body: [1, 2, 3], timeout: .seconds(120)) == [3, 2, 1])
        client.close()
        await serving.value
    }

    @Test func anExpiredWorkerCertificateIsRefusedAtTheHandshake() async throws {
        let expired = cluster.identity("old-worker", role: .worker, issuedAt: RPCTestCluster.now - 7_200, validity: 3_600)
        let (_, server) = try await RPCTestCluster.handshake(
            client: expired, clientPolicy: cluster.authority.policy(allowedRoles: [.manager]),
            server: cluster.identity("manager-1", role: .manager), serverPolicy: cluster.authority.policy())
        guard case .failure(.handshake(let reason)) = server else {
            Issue.record("an expired certificate was accepted: \(server)")
            return
        }
        #expect(reason.contains("expired"), "\(reason)")
    }

    @Test func aRevokedWorkerCertificateIsRefusedAtTheHandshake() async throws {
        let removed = cluster.identity("removed-worker", role: .worker, serial: 42)
        let (_, server) = try await RPCTestCluster.handshake(
            client: removed, clientPolicy: cluster.authority.policy(allowedRoles: [.manager]),
            server: cluster.identity("manager-1", role: .manager), serverPolicy: cluster.authority.policy(revokedSerials: [42]))
        guard case .failure(.handshake(let reason)) = server else {
            Issue.record("a revoked certificate was accepted: \(server)")
            return
        }
        #expect(reason.contains("revoked") && reason.contains("removed-worker"), "\(reason)")
    }

    @Test func aCertificateOfAnotherClusterIsRefusedAtTheHandshake() async throws {
        let stranger = RPCTestCluster().identity("stranger", role: .worker)
        let (_, server) = try await RPCTestCluster.handshake(
            client: stranger, clientPolicy: cluster.authority.policy(allowedRoles: [.manager]),
            server: cluster.identity("manager-1", role: .manager), serverPolicy: cluster.authority.policy())
        guard case .failure(.handshake(let reason)) = server else {
            Issue.record("a foreign certificate was accepted: \(server)")
            return
        }
        #expect(reason.contains("not signed by this cluster"), "\(reason)")
    }

    @Test func aWorkerRefusesToTalkToAPeerWhoseCertificateIsNotAManagers() async throws {
        // Another worker posing as a manager: the dialing worker checks the role it reached.
        let (client, _) = try await RPCTestCluster.handshake(
            client: cluster.identity("worker-1", role: .worker), clientPolicy: cluster.authority.policy(allowedRoles: [.manager]),
            server: cluster.identity("worker-2", role: .worker), serverPolicy: cluster.authority.policy())
        guard case .failure(.handshake(let reason)) = client else {
            Issue.record("a worker posing as a manager was accepted: \(client)")
            return
        }
        #expect(reason.contains("worker may not"), "\(reason)")
    }

    @Test func aFrameLongerThanTheCapIsRefusedBeforeItsPayloadIsReadOrDecrypted() async throws {
        let settings = RPCSettings(maxFrameSize: 4_096)
        let (client, server) = try await established(settings: settings)
        // Only a length prefix claiming one byte over the cap (plus the stream's tag), and no
        // payload at all: a receiver that waited for the payload would block here.
        let claimed = UInt32(4_096 + SecretStreamSealer.overhead + 1)
        try client.stream.socket.sendAll(
            [UInt8(claimed >> 24), UInt8(claimed >> 16 & 0xFF), UInt8(claimed >> 8 & 0xFF), UInt8(claimed & 0xFF)],
            deadline: ContinuousClock.now.advanced(by: .seconds(10)))
        let outcome = await BlockingWork.run("test-receive") { () -> Result<RPCFrame?, TransportError> in
            Result { () throws(TransportError) in try server.receive() }
        }
        guard case .failure(.oversizeFrame(let length, let limit)) = outcome else {
            Issue.record("an oversized frame was not refused: \(outcome)")
            return
        }
        #expect(length == UInt64(claimed) && limit == 4_096 + SecretStreamSealer.overhead)
        client.close()
        server.close()
    }

    @Test func aTamperedFrameEndsTheChannelInsteadOfBeingDelivered() async throws {
        let (client, server) = try await established()
        // A well-formed length with 40 bytes of garbage: it cannot authenticate.
        try client.stream.send([UInt8](repeating: 0xAB, count: 40), deadline: ContinuousClock.now.advanced(by: .seconds(10)))
        let outcome = await BlockingWork.run("test-receive") { () -> Result<RPCFrame?, TransportError> in
            Result { () throws(TransportError) in try server.receive() }
        }
        guard case .failure(.handshake(let reason)) = outcome else {
            Issue.record("a forged frame was delivered: \(outcome)")
            return
        }
        #expect(reason.contains("did not authenticate"), "\(reason)")
        client.close()
        server.close()
    }

    @Test func aChannelClosedOnPurposeIsToldFromACutOne() async throws {
        let (client, server) = try await established()
        client.finish()
        let outcome = await BlockingWork.run("test-receive") { () -> Result<RPCFrame?, TransportError> in
            Result { () throws(TransportError) in try server.receive() }
        }
        guard case .success(nil) = outcome else {
            Issue.record("a finished stream was not seen as closed: \(outcome)")
            return
        }
        client.close()
        server.close()
    }

    @Test func aSlowRequestDoesNotHoldUpAFastOneOnTheSameChannel() async throws {
        let (clientChannel, server) = try await established()
        let gate = Gate()
        let serving = Task {
            await server.serve { method, body in
                if method == "slow" { await gate.wait() }
                return .success(Array(method.utf8) + body)
            }
        }
        let client = RPCClient(channel: clientChannel)
        async let slow = client.call("slow", body: [1], timeout: .seconds(120))
        // Only once the slow request is held at the gate does the fast one go out (sent at
        // once, it could be answered before the slow one even arrived, proving nothing).
        try await RPCTestCluster.waitFor("the slow request held at the gate") { await gate.waiters == 1 }
        let fast = try await client.call("fast", body: [2], timeout: .seconds(120))
        #expect(fast == Array("fast".utf8) + [2])
        #expect(await gate.waiters == 1, "the fast request was answered while the slow one still waited")
        await gate.open()
        #expect(try await slow == Array("slow".utf8) + [1])
        client.close()
        await serving.value
    }

    @Test func requestsBeyondTheChannelsLimitAreAnsweredOverloadedInsteadOfQueued() async throws {
        let (clientChannel, server) = try await established(settings: RPCSettings(maxConcurrentRequests: 1))
        let gate = Gate()
        let serving = Task {
            await server.serve { _, _ in
                await gate.wait()
                return .success([])
            }
        }
        let client = RPCClient(channel: clientChannel)
        async let first = client.call("wait", body: [], timeout: .seconds(120))
        try await RPCTestCluster.waitFor("the first request in flight") { await gate.waiters == 1 }
        do {
            _ = try await client.call("wait", body: [], timeout: .seconds(120))
            Issue.record("a second request was accepted beyond the limit")
        } catch {
            #expect(error.code == .overloaded, "\(error)")
        }
        await gate.open()
        _ = try await first
        client.close()
        await serving.value
    }

    @Test func aCallWithNoAnswerFailsAtItsDeadlineAndTheChannelStaysUsable() async throws {
        let (clientChannel, server) = try await established()
        let gate = Gate()
        let serving = Task {
            await server.serve { method, _ in
                if method == "never" { await gate.wait() }
                return .success([7])
            }
        }
        let client = RPCClient(channel: clientChannel)
        let started = ContinuousClock.now
        do {
            _ = try await client.call("never", body: [], timeout: .milliseconds(300))
            Issue.record("a call without an answer succeeded")
        } catch {
            #expect(error.code == .timedOut, "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(try await client.call("other", body: [], timeout: .seconds(120)) == [7])
        await gate.open()
        client.close()
        await serving.value
    }

    @Test func callsInFlightFailWithConnectionLostWhenThePeerGoesAway() async throws {
        let (clientChannel, server) = try await established()
        let client = RPCClient(channel: clientChannel)
        async let pending = client.call("anything", body: [], timeout: .seconds(120))
        server.shutdown()
        server.close()
        do {
            _ = try await pending
            Issue.record("a call to a closed peer succeeded")
        } catch {
            #expect((error as? RPCError)?.code == .connectionLost, "\(error)")
        }
        #expect(client.isClosed)
    }
}

/// Holds handlers until the test opens it.
actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    var waiters: Int { waiting.count }

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting.removeAll()
    }
}

extension RPCClient {
    /// Runs the initiator handshake on an already connected socket (on a thread of its own).
    static func connectedForTest(_ socket: Socket, identity: NodeIdentity, policy: CertificatePolicy) async throws -> RPCClient {
        let channel = try await BlockingWork.run("test-open") { () -> Result<RPCChannel, TransportError> in
            Result { () throws(TransportError) in try RPCChannel.open(socket, identity: identity, policy: policy, now: RPCTestCluster.now) }
        }.get()
        return RPCClient(channel: channel)
    }
}
