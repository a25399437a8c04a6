import Platform
import Synchronization

/// An HTTP/1.1 server: one event-loop thread owns every socket, handlers run as Swift tasks
/// off that thread, and their responses are written back in request order.
///
/// A handler's task is cancelled when its client disconnects (or, for a streamed response,
/// when the server shuts down), so a blocking query can stop waiting early by checking
/// `Task.isCancelled`. The server keeps itself alive until `shutdown()`: always call it.
///
/// ```swift
/// let server = HTTPServer(settings: HTTPServerSettings(port: 4646), handler: router.handler)
/// try server.start()
/// print("listening on \(server.address)")
/// ...
/// await server.shutdown()
/// ```
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse
    /// Looks at each request first, on the event loop's thread, and returns true when it has
    /// taken it: the answer then goes through the responder, from any thread, and no task is
    /// started. For requests that are only handed to another thread and answered from there
    /// (a Raft proposal): it saves a task and two thread switches per request. It must be
    /// quick and must not block (it holds up every connection); false leaves the request to
    /// `handler`.
    public typealias DirectHandler = @Sendable (HTTPRequest, HTTPResponder) -> Bool

    public let settings: HTTPServerSettings
    private let handler: Handler
    private let directHandler: DirectHandler?
    private let core = Mutex<HTTPServerCore?>(nil)

    public init(settings: HTTPServerSettings = HTTPServerSettings(), handler: @escaping Handler) {
        self.settings = settings
        self.handler = handler
        self.directHandler = nil
    }

    /// A server whose requests `direct` may take before `handler` sees them.
    public init(settings: HTTPServerSettings = HTTPServerSettings(), direct: @escaping DirectHandler, handler: @escaping Handler) {
        self.settings = settings
        self.handler = handler
        self.directHandler = direct
    }

    /// Binds and starts serving; returns once the port is bound, so a client may connect at
    /// once. A second call does nothing.
    public func start() throws(SocketError) {
        if core.withLock({ $0 != nil }) { return }
        if settings.raiseOpenFileLimit {
            SocketLimits.raiseOpenFileLimit()
        }
        let started = try HTTPServerCore.start(settings: settings, handler: handler, directHandler: directHandler)
        core.withLock { $0 = started }
    }

    /// The bound port (the kernel's choice when `settings.port` is 0); 0 before `start()`.
    public var port: Int {
        core.withLock { $0?.port ?? 0 }
    }

    /// `http://host:port` of the bound listener.
    public var address: String {
        "http://\(settings.host.contains(":") ? "[\(settings.host)]" : settings.host):\(port)"
    }

    /// Connections currently open (for tests and metrics).
    public var connectionCount: Int {
        core.withLock { $0?.connectionCount ?? 0 }
    }

    /// Stops accepting, closes idle connections, lets in-flight requests finish (answered with
    /// `Connection: close`) for up to `settings.shutdownGracePeriod`, then closes the rest and
    /// stops the event loop. Returns when all of that is done. Calling it twice is harmless.
    public func shutdown() async {
        guard let current = core.withLock({ $0 }) else { return }
        await current.shutdown(gracePeriod: settings.shutdownGracePeriod)
    }
}
