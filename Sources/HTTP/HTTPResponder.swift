/// The way back for a request taken by an `HTTPServer.DirectHandler`: call `respond` exactly
/// once, from any thread. A request never answered keeps its connection waiting (until the
/// client gives up or the server shuts down), as a handler that never returns would.
public struct HTTPResponder: Sendable {
    private let deliver: @Sendable (HTTPResponse) -> Void

    init(_ deliver: @escaping @Sendable (HTTPResponse) -> Void) {
        self.deliver = deliver
    }

    public func respond(_ response: HTTPResponse) {
        deliver(response)
    }
}
