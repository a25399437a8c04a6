import ClusterRPC
import HTTP
import Synchronization
import Testing

@testable import Worker

/// The ACL gate of a worker's log API: no token and unknown tokens get 401 with the reason, a
/// token of the cluster reads, and one manager question covers a whole log-following session.
@Suite struct WorkerTokenCheckTests {
    final class Manager: Sendable {
        let questions = Mutex(0)
        let valid: Set<String>
        let reachable = Mutex(true)
        init(valid: Set<String>) { self.valid = valid }

        func resolve(_ secret: String) throws -> WorkerRPC.ResolvedToken {
            questions.withLock { $0 += 1 }
            guard reachable.withLock({ $0 }) else { throw CheckFailure.unreachable }
            return valid.contains(secret) ? WorkerRPC.ResolvedToken(name: "ci", policy: "read-only") : WorkerRPC.ResolvedToken(name: nil, policy: nil)
        }
    }

    enum CheckFailure: Error { case unreachable }

    final class Clock: Sendable {
        let instant = Mutex(ContinuousClock.now)
        func advance(_ duration: Duration) { instant.withLock { $0 = $0.advanced(by: duration) } }
    }

    static func request(_ headers: HTTPHeaders) -> HTTPRequest {
        HTTPRequest(method: .get, target: "/v1/client/fs/logs/abc", headers: headers)
    }

    static func text(_ response: HTTPResponse) -> String {
        guard case .bytes(let bytes) = response.body else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func aCallWithoutATokenOrWithAnUnknownOneIsRefusedWithTheReason() async throws {
        let manager = Manager(valid: ["roost_good"])
        let check = WorkerTokenCheck(resolve: { try manager.resolve($0) })
        let missing = try #require(await check.refusal(of: Self.request([:])))
        #expect(missing.status == .unauthorized)
        #expect(Self.text(missing).contains("no ACL token given"))
        let unknown = try #require(await check.refusal(of: Self.request(["X-Nomad-Token": "roost_bad"])))
        #expect(unknown.status == .unauthorized)
        #expect(Self.text(unknown).contains("not valid"))
        #expect(await check.refusal(of: Self.request(["Authorization": "Bearer roost_good"])) == nil)
        #expect(await check.refusal(of: Self.request(["X-Roost-Token": "roost_good"])) == nil)
    }

    @Test func oneManagerQuestionCoversATokenUntilItsAnswerExpires() async throws {
        let manager = Manager(valid: ["roost_good"])
        let clock = Clock()
        let check = WorkerTokenCheck(validFor: .seconds(30), invalidFor: .seconds(2), now: { clock.instant.withLock { $0 } }, resolve: { try manager.resolve($0) })
        for _ in 0..<5 { #expect(await check.refusal(of: Self.request(["X-Roost-Token": "roost_good"])) == nil) }
        #expect(manager.questions.withLock { $0 } == 1)
        clock.advance(.seconds(31))
        #expect(await check.refusal(of: Self.request(["X-Roost-Token": "roost_good"])) == nil)
        #expect(manager.questions.withLock { $0 } == 2)
        for _ in 0..<3 { _ = await check.refusal(of: Self.request(["X-Roost-Token": "roost_bad"])) }
        #expect(manager.questions.withLock { $0 } == 3)
        clock.advance(.seconds(3))
        _ = await check.refusal(of: Self.request(["X-Roost-Token": "roost_bad"]))
        #expect(manager.questions.withLock { $0 } == 4, "an unknown token is asked about again after a short while")
    }

    @Test func withNoManagerReachableTheAnswerIsUnavailableNotAllowed() async throws {
        let manager = Manager(valid: ["roost_good"])
        manager.reachable.withLock { $0 = false }
        let check = WorkerTokenCheck(resolve: { try manager.resolve($0) })
        let answer = try #require(await check.refusal(of: Self.request(["X-Roost-Token": "roost_good"])))
        #expect(answer.status == .serviceUnavailable)
        #expect(Self.text(answer).contains("no manager answered"))
    }
}
