import Foundation
import HTTP
@testable import Images

/// A registry served from an OCI layout by Roost's own HTTP server, to test what the Debian
/// registry cannot show: bearer-token and basic authentication, a registry that never
/// answers, and how often manifests were asked for. Tags are read from the layout's
/// `index.json` on every request, so rewriting the layout re-pushes a tag.
final class FakeRegistry: Sendable {
    enum Mode: Sendable {
        /// `WWW-Authenticate: Bearer` pointing at `/token`, which wants basic `user:secret`.
        case bearer
        /// `WWW-Authenticate: Basic`, wants `user:secret`.
        case basic
        /// Accepts the connection and never answers a manifest request.
        case silent
        /// Anyone may pull.
        case anonymous
    }

    static let token = "t0k3n-for-tests"
    static let basic = "Basic " + Data("user:secret".utf8).base64EncodedString()

    let server: HTTPServer
    private let counter: RequestCounter
    var host: String { "127.0.0.1:\(server.port)" }
    /// How many manifest requests (by tag or digest) reached the registry.
    var manifestRequests: Int { counter.count }

    init(layout: String, mode: Mode) throws {
        let portBox = PortBox()
        let counter = RequestCounter()
        self.counter = counter
        server = HTTPServer(settings: HTTPServerSettings(shutdownGracePeriod: .milliseconds(100), raiseOpenFileLimit: false)) { request in
            let path = String(request.path)
            let authorization = request.headers["Authorization"] ?? ""
            if path == "/token" {
                guard authorization == Self.basic else { return HTTPResponse(status: .unauthorized) }
                return HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: Array("{\"token\":\"\(Self.token)\"}".utf8))
            }
            switch mode {
            case .bearer where authorization != "Bearer " + Self.token:
                let realm = "http://127.0.0.1:\(portBox.port)/token"
                return HTTPResponse(status: .unauthorized, headers: ["WWW-Authenticate": "Bearer realm=\"\(realm)\",service=\"fake\",scope=\"repository:test/busybox:pull\""])
            case .basic where authorization != Self.basic:
                return HTTPResponse(status: .unauthorized, headers: ["WWW-Authenticate": "Basic realm=\"fake\""])
            case .silent where path.contains("/manifests/"):
                try? await Task.sleep(for: .seconds(30))
                return HTTPResponse(status: .serviceUnavailable)
            default:
                break
            }
            if path == "/v2/" { return HTTPResponse(status: .ok) }
            let parts = path.split(separator: "/").map(String.init)
            guard parts.count >= 4, let kind = parts.dropLast().last, let reference = parts.last else {
                return HTTPResponse(status: .notFound)
            }
            if kind == "manifests" { counter.increment() }
            let index = try? JSONDecoder().decode(ImageIndex.self, from: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")))
            let tags = Dictionary((index?.manifests ?? []).compactMap { entry in entry.annotations?[ImageIndex.refNameAnnotation].map { ($0, entry) } }) { a, _ in a }
            let digest: Digest? = Digest(reference) ?? tags[reference]?.digest
            guard let digest, let bytes = FileManager.default.contents(atPath: layout + "/blobs/sha256/" + digest.hex) else {
                return HTTPResponse(status: .notFound, body: Array(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#.utf8))
            }
            let type = kind == "manifests" ? MediaType.ociManifest : "application/octet-stream"
            return HTTPResponse(status: .ok, headers: ["Content-Type": type, "Docker-Content-Digest": digest.description], body: [UInt8](bytes))
        }
        try server.start()
        portBox.port = server.port
    }

    func stop() async { await server.shutdown() }
}

/// Counts requests across the server's handler tasks.
final class RequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int { lock.withLock { value } }
    func increment() { lock.withLock { value += 1 } }
}

/// The server's port, known only after it started, for the realm URL the handler returns.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var port: Int {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
