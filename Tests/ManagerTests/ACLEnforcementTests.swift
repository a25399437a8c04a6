import ClusterModel
import Foundation
import HTTP
@testable import Manager
import StateStore
import Synchronization
import Testing

/// The managers' API with ACLs on (as in server mode), in process: who may call what, what a
/// refusal says, and what the state keeps of a token.
@Suite struct ACLEnforcementTests {
    /// A manager with ACLs on, bootstrapped, with one token of each policy.
    struct Cluster {
        let manager: ManagerServer
        let router: HTTPRouter
        let management: String
        let submitDefault: String
        let submitEverywhere: String
        let readOnly: String
        let announced: [String]

        static func make() async throws -> Cluster {
            let manager = ManagerServer(settings: ManagerSettings(aclsEnabled: true), clock: ManagerServerTests.clock)
            let shown = Mutex<[String]>([])
            await manager.announceBootstrapToken { secret in shown.withLock { $0.append(secret) } }
            await manager.bootstrapACLsIfNeeded()
            // A second leadership (or a restart) must not make or show another token.
            await manager.bootstrapACLsIfNeeded()
            let announced = shown.withLock { $0 }
            let management = try #require(announced.first)
            var router = HTTPRouter()
            ManagerAPI(manager: manager, agentInfo: ["mode": "test"]).register(in: &router)
            func create(_ name: String, _ policy: String, _ namespace: String?) async throws -> String {
                var body: [String: Any] = ["Name": name, "Policy": policy]
                if let namespace { body["Namespace"] = namespace }
                let response = await router.route(Self.request(.post, "/v1/acl/token", token: management, json: body))
                #expect(response.status == .ok, "\(ACLEnforcementTests.message(response))")
                return try #require(ACLEnforcementTests.json(response)["SecretID"] as? String)
            }
            return Cluster(
                manager: manager, router: router, management: management,
                submitDefault: try await create("ci", "submit-job", nil),
                submitEverywhere: try await create("deployer", "submit-job", "*"),
                readOnly: try await create("dashboard", "read-only", nil), announced: announced)
        }

        static func request(
            _ method: HTTPMethod, _ target: String, token: String? = nil, header: String = "X-Roost-Token", json: Any? = nil
        ) -> HTTPRequest {
            var headers = HTTPHeaders()
            if let token { headers.set(header, header == "Authorization" ? "Bearer \(token)" : token) }
            let body = json.map { Array((try? JSONSerialization.data(withJSONObject: $0)) ?? Data()) } ?? []
            return HTTPRequest(method: method, target: target, headers: headers, body: body)
        }

        func call(_ method: HTTPMethod, _ target: String, _ token: String?, json: Any? = nil) async -> HTTPResponse {
            await router.route(Self.request(method, target, token: token, json: json))
        }
    }

    static func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.bodyBytes ?? []))) as? [String: Any] ?? [:]
    }

    static func message(_ response: HTTPResponse) -> String { json(response)["message"] as? String ?? "" }

    static func jobFile(_ id: String, namespace: String = "default") -> [String: Any] {
        ["JobHCL": "job \"\(id)\" {\n  namespace = \"\(namespace)\"\n  group \"g\" {\n    task \"t\" {\n      driver = \"raw_exec\"\n      config { command = \"/bin/true\" }\n    }\n  }\n}\n"]
    }

    @Test func everyRouteFamilyAnswers401WithoutAValidToken() async throws {
        let cluster = try await Cluster.make()
        let routes: [(HTTPMethod, String)] = [
            (.get, "/v1/jobs"), (.post, "/v1/jobs"), (.delete, "/v1/job/web"), (.get, "/v1/allocations"),
            (.get, "/v1/nodes"), (.get, "/v1/evaluations"), (.get, "/v1/agent/self"), (.get, "/v1/status/leader"),
            (.get, "/v1/status/peers"), (.get, "/v1/operator/raft/configuration"), (.get, "/v1/operator/snapshot"),
            (.delete, "/v1/operator/raft/peer"), (.get, "/v1/acl/tokens"), (.post, "/v1/acl/token"), (.get, "/v1/acl/token/self"),
            (.put, "/v1/system/gc"),
        ]
        for (method, path) in routes {
            let missing = await cluster.call(method, path, nil)
            #expect(missing.status == .unauthorized, "\(method) \(path) without a token")
            #expect(Self.message(missing) == "no ACL token given: set ROOST_TOKEN or --token")
            #expect(missing.headers["WWW-Authenticate"] == "Bearer")
            let unknown = await cluster.call(method, path, "roost_0000")
            #expect(unknown.status == .unauthorized, "\(method) \(path) with an unknown token")
            #expect(Self.message(unknown) == "the ACL token is not valid (unknown or deleted)")
        }
    }

    @Test func eachPolicyGetsExactlyWhatItAllows() async throws {
        let cluster = try await Cluster.make()
        // (method, path, body, [management, submit-job default, read-only] → allowed?)
        let matrix: [(HTTPMethod, String, [String: Any]?, [Bool])] = [
            (.get, "/v1/jobs", nil, [true, true, true]),
            (.get, "/v1/nodes", nil, [true, true, true]),
            (.get, "/v1/allocations", nil, [true, true, true]),
            (.get, "/v1/evaluations", nil, [true, true, true]),
            (.get, "/v1/agent/self", nil, [true, true, true]),
            (.get, "/v1/status/leader", nil, [true, true, true]),
            (.get, "/v1/acl/token/self", nil, [true, true, true]),
            (.post, "/v1/jobs", Self.jobFile("web"), [true, true, false]),
            (.post, "/v1/jobs/parse", Self.jobFile("web"), [true, true, false]),
            (.delete, "/v1/job/web", nil, [true, true, false]),
            (.get, "/v1/operator/raft/configuration", nil, [true, false, true]),
            (.get, "/v1/acl/tokens", nil, [true, false, true]),
            (.get, "/v1/operator/snapshot", nil, [true, false, false]),
            (.delete, "/v1/operator/raft/peer?id=1", nil, [true, false, false]),
            (.post, "/v1/acl/token", ["Name": "x", "Policy": "read-only"], [true, false, false]),
            (.put, "/v1/system/gc", nil, [true, false, false]),
        ]
        for (method, path, body, allowed) in matrix {
            for (token, mayCall) in zip([cluster.management, cluster.submitDefault, cluster.readOnly], allowed) {
                let response = await cluster.call(method, path, token, json: body)
                let refused = response.status == .unauthorized || response.status == .forbidden
                #expect(refused == !mayCall, "\(method) \(path) answered \(response.status.code): \(Self.message(response))")
                if !mayCall { #expect(response.status == .forbidden) }
            }
        }
    }

    @Test func aSubmitJobTokenWritesOnlyInItsNamespaceAndTheRefusalSaysWhatWouldBeNeeded() async throws {
        let cluster = try await Cluster.make()
        let elsewhere = await cluster.call(.post, "/v1/jobs", cluster.submitDefault, json: Self.jobFile("api", namespace: "prod"))
        #expect(elsewhere.status == .forbidden)
        #expect(Self.message(elsewhere) == "token \"ci\" has policy submit-job for namespace default; registering jobs in namespace prod needs management or submit-job for prod")
        #expect(await cluster.manager.snapshot().job(namespace: "prod", id: "api") == nil)

        #expect(await cluster.call(.post, "/v1/jobs", cluster.submitEverywhere, json: Self.jobFile("api", namespace: "prod")).status == .ok)
        let stop = await cluster.call(.delete, "/v1/job/api?namespace=prod", cluster.submitDefault)
        #expect(stop.status == .forbidden)
        #expect(Self.message(stop) == "token \"ci\" has policy submit-job for namespace default; stopping jobs in namespace prod needs management or submit-job for prod")
        #expect(await cluster.manager.snapshot().job(namespace: "prod", id: "api")?.stopped == false)
        #expect(await cluster.call(.delete, "/v1/job/api?namespace=prod", cluster.submitEverywhere).status == .ok)

        let readOnly = await cluster.call(.get, "/v1/operator/snapshot", cluster.readOnly)
        #expect(Self.message(readOnly) == "token \"dashboard\" has policy read-only; saving snapshots needs management")
        let list = await cluster.call(.get, "/v1/acl/tokens", cluster.submitDefault)
        #expect(Self.message(list) == "token \"ci\" has policy submit-job for namespace default; listing ACL tokens needs management or read-only")
    }

    @Test func theTokenIsReadFromRoostNomadAndBearerHeaders() async throws {
        let cluster = try await Cluster.make()
        for header in ["X-Roost-Token", "X-Nomad-Token", "Authorization"] {
            let response = await cluster.router.route(Cluster.request(.get, "/v1/acl/token/self", token: cluster.readOnly, header: header))
            #expect(response.status == .ok, "\(header)")
            #expect(Self.json(response)["Name"] as? String == "dashboard")
        }
        var basic = HTTPRequest(method: .get, target: "/v1/jobs")
        basic.headers.set("Authorization", "Basic \(cluster.readOnly)")
        #expect(await cluster.router.route(basic).status == .unauthorized)
    }

    @Test func theBootstrapTokenIsShownOnceAndIsAManagementToken() async throws {
        let cluster = try await Cluster.make()
        #expect(cluster.announced.count == 1)
        #expect(cluster.management.hasPrefix(ACLSecret.prefix) && cluster.management.count == ACLSecret.prefix.count + 64)
        let me = Self.json(await cluster.call(.get, "/v1/acl/token/self", cluster.management))
        #expect(me["Policy"] as? String == "management")
        #expect(me["SecretID"] == nil)
        // No route hands out a bootstrap token, with or without a token.
        for method in [HTTPMethod.get, .post, .put] {
            #expect(await cluster.call(method, "/v1/acl/bootstrap", nil).status != .ok)
            #expect(await cluster.call(method, "/v1/acl/bootstrap", cluster.management).status == .notFound)
        }
    }

    @Test func theStateKeepsHashesAndNeverASecret() async throws {
        let cluster = try await Cluster.make()
        let snapshot = await cluster.manager.snapshot().snapshot()
        #expect(snapshot.aclTokens.count == 4)
        let text = String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)
        for secret in [cluster.management, cluster.submitDefault, cluster.submitEverywhere, cluster.readOnly] {
            #expect(!text.contains(secret))
            #expect(!text.contains(String(secret.dropFirst(ACLSecret.prefix.count))))
            #expect(text.contains(ACLSecret.hash(secret)))
        }
        // Lists never show a secret or a hash either.
        let list = await cluster.call(.get, "/v1/acl/tokens", cluster.management)
        let listed = String(decoding: list.bodyBytes ?? [], as: UTF8.self)
        #expect(!listed.contains(cluster.readOnly) && !listed.contains(ACLSecret.hash(cluster.readOnly)))
        #expect(!listed.contains("SecretID"))
    }

    @Test func aDeletedTokenIsRefusedAtOnceAndTheLastManagementTokenCannotBeDeleted() async throws {
        let cluster = try await Cluster.make()
        let me = Self.json(await cluster.call(.get, "/v1/acl/token/self", cluster.submitDefault))
        let accessor = try #require(me["AccessorID"] as? String)
        #expect(await cluster.call(.delete, "/v1/acl/token/\(accessor.prefix(8))", cluster.management).status == .ok)
        let after = await cluster.call(.get, "/v1/jobs", cluster.submitDefault)
        #expect(after.status == .unauthorized)
        #expect(Self.message(after) == "the ACL token is not valid (unknown or deleted)")
        #expect(await cluster.call(.delete, "/v1/acl/token/\(accessor)", cluster.management).status == .notFound)

        let bootstrap = Self.json(await cluster.call(.get, "/v1/acl/token/self", cluster.management))
        let last = await cluster.call(.delete, "/v1/acl/token/\(bootstrap["AccessorID"] as? String ?? "")", cluster.management)
        #expect(last.status == .badRequest)
        #expect(Self.message(last).contains("last management token"))
    }

    @Test func tokenRequestsThatBreakTheRulesAreRefusedWithTheReason() async throws {
        let cluster = try await Cluster.make()
        let namespaced = await cluster.call(.post, "/v1/acl/token", cluster.management, json: ["Name": "x", "Policy": "read-only", "Namespace": "prod"])
        #expect(namespaced.status == .badRequest)
        #expect(Self.message(namespaced).contains("only submit-job tokens take a namespace"))
        let unknown = await cluster.call(.post, "/v1/acl/token", cluster.management, json: ["Name": "x", "Policy": "admin"])
        #expect(unknown.status == .badRequest)
        let unnamed = await cluster.call(.post, "/v1/acl/token", cluster.management, json: ["Name": "", "Policy": "read-only"])
        #expect(unnamed.status == .badRequest)
    }

    @Test func theManagersOwnRoutesAreOutsideACLs() async throws {
        let cluster = try await Cluster.make()
        // A lone manager is no Raft member, so it refuses to admit a server, but not for want of
        // a token (it would answer 401).
        let join = await cluster.call(.post, "/v1/internal/raft/join", nil, json: ["x": 1])
        #expect(join.status == .badRequest)
    }

    @Test func withACLsOffEveryCallIsAllowedAndTheTokenRoutesSaySo() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        var router = HTTPRouter()
        ManagerAPI(manager: manager, agentInfo: ["mode": "dev"]).register(in: &router)
        #expect(await router.route(HTTPRequest(method: .get, target: "/v1/jobs")).status == .ok)
        let shown = Mutex(0)
        await manager.announceBootstrapToken { _ in shown.withLock { $0 += 1 } }
        await manager.bootstrapACLsIfNeeded()
        #expect(shown.withLock { $0 } == 0)
        #expect(await manager.snapshot().aclTokens().isEmpty)
        let tokens = await router.route(HTTPRequest(method: .get, target: "/v1/acl/tokens"))
        #expect(tokens.status == .badRequest)
        #expect(Self.message(tokens).contains("ACLs are disabled"))
    }
}

extension ACLEnforcementTests {
    @Test func aSnapshotWithoutAManagementTokenIsNotRestoredWhileACLsAreOn() async throws {
        let cluster = try await Cluster.make()
        let saved = await cluster.call(.get, "/v1/operator/snapshot", cluster.management)
        #expect(saved.status == .ok)
        // The same state without its tokens, as a dev agent would have saved it.
        var tokenless = try SnapshotArchive.decode(saved.bodyBytes ?? [])
        tokenless.aclTokens.removeAll { $0.policy == .management }
        var restore = Cluster.request(.put, "/v1/operator/snapshot", token: cluster.management)
        restore.body = try SnapshotArchive.encode(tokenless)
        let refused = await cluster.router.route(restore)
        #expect(refused.status == .badRequest)
        #expect(Self.message(refused).contains("would lock every operator out"))
        #expect(await cluster.manager.snapshot().aclTokens().count == 4)
        // The snapshot as saved, with its tokens, restores.
        restore.body = saved.bodyBytes ?? []
        #expect(await cluster.router.route(restore).status == .ok)
    }
}
