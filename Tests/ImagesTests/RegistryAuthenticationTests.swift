import Foundation
import Testing
@testable import Images

@Suite("Registry authentication and timeouts", .enabled(if: TestImages.canBuildBusybox, "needs busybox-static (contrib/install-deps.sh)"))
struct RegistryAuthenticationTests {
    let scratch = ScratchDirectory("auth")

    private func layout() throws -> (String, Digest) {
        let path = scratch.path + "/layout"
        let digest = try TestImages.busyboxLayout(at: path, tag: "1.0", scratch: scratch.path)
        return (path, digest)
    }

    private func store(_ registry: FakeRegistry, credentials: Bool, timeout: Double = 10) throws -> ImageStore {
        try ImageStore(
            directory: scratch.path + "/cache-" + UUID().uuidString.prefix(6),
            settings: RegistrySettings(
                insecureRegistries: [registry.host],
                credentials: credentials ? [registry.host: RegistryCredentials(username: "user", password: "secret")] : [:],
                requestTimeoutSeconds: timeout
            )
        )
    }

    @Test("a bearer challenge is answered with a token fetched using the agent's credentials")
    func bearerToken() async throws {
        let (path, digest) = try layout()
        let registry = try FakeRegistry(layout: path, mode: .bearer)
        let pulled = try await store(registry, credentials: true).pull("\(registry.host)/test/busybox:1.0")
        #expect(pulled.manifestDigest == digest)
        let refused = await #expect(throws: ImageError.self) { try await store(registry, credentials: false).pull("\(registry.host)/test/busybox:1.0") }
        #expect(refused?.code == .unauthorized)
        await registry.stop()
    }

    @Test("basic auth uses the agent's credentials and without them says to add some")
    func basicAuth() async throws {
        let (path, digest) = try layout()
        let registry = try FakeRegistry(layout: path, mode: .basic)
        let refused = await #expect(throws: ImageError.self) { try await store(registry, credentials: false, timeout: 3).pull("\(registry.host)/test/busybox:1.0") }
        #expect(try await store(registry, credentials: true, timeout: 3).pull("\(registry.host)/test/busybox:1.0").manifestDigest == digest)
        #expect(refused?.code == .unauthorized)
        #expect(refused?.message.contains("credentials") == true)
        await registry.stop()
    }

    @Test("a registry that never answers fails the pull after the request timeout instead of hanging")
    func silentRegistryTimesOut() async throws {
        let (path, _) = try layout()
        let registry = try FakeRegistry(layout: path, mode: .silent)
        let started = Date()
        let error = await #expect(throws: ImageError.self) { try await store(registry, credentials: false, timeout: 1).pull("\(registry.host)/test/busybox:1.0") }
        #expect(error?.code == .transport)
        #expect(Date().timeIntervalSince(started) < 15)
        await registry.stop()
    }
}
