/// Routes requests by method and path pattern to handlers.
///
/// Patterns are literal segments and `:name` parameters (`/v1/job/:id/allocations`); a last
/// segment `*name` captures the rest of the path. When several patterns match, the one with
/// more literal segments wins (so `/v1/jobs/parse` beats `/v1/jobs/:id`). An unknown path is a
/// 404 and a known path with another method a 405 with `Allow`, both as JSON errors. A HEAD
/// request is served by the GET handler (the server drops the body).
public struct HTTPRouter: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case rest(String)
    }

    private struct Route: Sendable {
        var method: HTTPMethod
        var segments: [Segment]
        var literalCount: Int
        var handler: Handler
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route. Later additions with the same method and pattern replace earlier ones.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        let segments: [Segment] = Self.split(pattern).map { part in
            if part.hasPrefix(":") { return .parameter(String(part.dropFirst())) }
            if part.hasPrefix("*") { return .rest(String(part.dropFirst())) }
            return .literal(String(part))
        }
        routes.removeAll { $0.method == method && $0.segments == segments }
        let literals = segments.reduce(0) { count, segment in
            if case .literal = segment { return count + 1 }
            return count
        }
        routes.append(Route(method: method, segments: segments, literalCount: literals, handler: handler))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add(.get, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping Handler) { add(.post, pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping Handler) { add(.put, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { add(.delete, pattern, handler) }

    /// The router as a server handler.
    public var handler: HTTPServer.Handler {
        let router = self
        return { request in await router.route(request) }
    }

    /// Finds the handler for `request` and runs it, with `pathParameters` filled in.
    public func route(_ request: HTTPRequest) async -> HTTPResponse {
        let parts = Self.split(request.path)
        var best: (route: Route, parameters: [String: String], score: Int)?
        var allowed: Set<String> = []
        for route in routes {
            guard let parameters = Self.match(route.segments, parts) else { continue }
            allowed.insert(route.method.rawValue)
            if route.method == .get { allowed.insert(HTTPMethod.head.rawValue) }
            let exact = route.method == request.method
            guard exact || (request.method == .head && route.method == .get) else { continue }
            // More literal segments first; an exact method beats HEAD falling back to GET.
            let score = route.literalCount * 2 + (exact ? 1 : 0)
            if let current = best, current.score >= score { continue }
            best = (route, parameters, score)
        }
        if let best {
            var routed = request
            routed.pathParameters = best.parameters
            return await best.route.handler(routed)
        }
        if allowed.isEmpty {
            return .error(.notFound, "no such path: \(request.path)")
        }
        let allow = allowed.sorted().joined(separator: ", ")
        return .error(.methodNotAllowed, "method \(request.method) is not allowed on \(request.path); allowed: \(allow)",
                      headers: ["Allow": allow])
    }

    private static func split<S: StringProtocol>(_ path: S) -> [S.SubSequence] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func match(_ segments: [Segment], _ parts: [Substring]) -> [String: String]? {
        var parameters: [String: String] = [:]
        var index = 0
        for segment in segments {
            switch segment {
            case .rest(let name):
                parameters[name] = parts[index...].map { PercentDecoding.decode($0, plusAsSpace: false) }.joined(separator: "/")
                return parameters
            case .literal(let literal):
                guard index < parts.count, parts[index] == literal else { return nil }
            case .parameter(let name):
                guard index < parts.count else { return nil }
                parameters[name] = PercentDecoding.decode(parts[index], plusAsSpace: false)
            }
            index += 1
        }
        return index == parts.count ? parameters : nil
    }
}
