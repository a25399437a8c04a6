import API
import Gossip
import HTTP
import Manager
import Sodium
import Testing

/// The agent's gossip routes over real agents: Nomad's member list and the keyring commands.
@Suite struct GossipAPITests {
    static func router(_ shell: GossipShell) -> HTTPRouter {
        var router = HTTPRouter()
        GossipAPI(gossip: shell).register(in: &router)
        return router
    }

    @Test func membersListsEveryAgentWithNomadsFieldsAndTheIncarnation() async throws {
        let shells = try GossipTestSupport.startCluster(count: 3, keyring: .generated())
        #expect(await GossipTestSupport.waitFor(within: .seconds(15)) { GossipTestSupport.converged(shells) } != nil)
        let response = await Self.router(shells[0]).route(HTTPRequest(method: .get, target: "/v1/agent/members"))
        #expect(response.status == .ok)
        let text = String(decoding: response.bodyBytes ?? [], as: UTF8.self)
        #expect(text.contains("\"Members\"") && text.contains("\"Addr\"") && text.contains("\"Status\":\"alive\""))
        let members = try APIJSON.decode(AgentMembersResponse.self, from: response.bodyBytes ?? [])
        #expect(members.serverName == "agent-1")
        #expect(members.members.map(\.name).sorted() == ["agent-1", "agent-2", "agent-3"])
        #expect(members.members.allSatisfy { $0.status == "alive" && $0.tags["role"] == "worker" && $0.port > 0 })
        await GossipTestSupport.stopAll(shells)
    }

    @Test func keyringCommandsRotateTheKeyAndRefuseMistakes() async throws {
        let shell = try GossipShell.start(settings: GossipTestSupport.settings(1, keyring: .generated()))
        let router = Self.router(shell)
        let old = try #require(shell.keyring.primaryKey)
        let new = XChaCha20Poly1305.generateKey()
        func put(_ action: String, _ key: String) async throws -> HTTPResponse {
            await router.route(HTTPRequest(method: .put, target: "/v1/operator/keyring/\(action)",
                                           body: try APIJSON.encode(GossipKeyRequest(key: key))))
        }
        #expect(try await put("install", GossipKeyring.encodeKey(new)).status == .ok)
        #expect(try await put("remove", GossipKeyring.encodeKey(old)).status == .badRequest, "the primary cannot be removed")
        #expect(try await put("use", GossipKeyring.encodeKey(new)).status == .ok)
        #expect(try await put("remove", GossipKeyring.encodeKey(old)).status == .ok)
        #expect(try await put("use", GossipKeyring.encodeKey(old)).status == .badRequest, "a removed key cannot become primary")
        #expect(try await put("install", "too short").status == .badRequest)
        let listed = await router.route(HTTPRequest(method: .get, target: "/v1/operator/keyring"))
        let keyring = try APIJSON.decode(GossipKeyringResponse.self, from: listed.bodyBytes ?? [])
        #expect(keyring.keys == [GossipKeyring.encodeKey(new)] && keyring.primaryKey == GossipKeyring.encodeKey(new))
        await shell.stop()
    }
}
