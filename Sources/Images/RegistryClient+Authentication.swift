import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension RegistryClient {
    /// Answers a 401: `Bearer realm=…,service=…,scope=…` fetches a token (with basic
    /// credentials when the agent has some for this host); `Basic` uses the credentials.
    func authenticate(response: HTTPURLResponse, repository: String) async throws(ImageError) {
        let header = response.value(forHTTPHeaderField: "WWW-Authenticate") ?? ""
        let challenge = Self.parseChallenge(header)
        let credentials = settings.credentials[host]
        let basic = credentials.map { "Basic " + Data(($0.username + ":" + $0.password).utf8).base64EncodedString() }
        switch challenge.scheme.lowercased() {
        case "basic":
            guard let basic else {
                throw ImageError(.unauthorized, "registry \(host) needs a user name and password for \(repository); add credentials for \(host) to the agent configuration")
            }
            authorizations.withLock { $0[repository] = basic }
        case "bearer":
            guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
                components.scheme == "https" || components.scheme == "http"
            else {
                throw ImageError(.unauthorized, "registry \(host) asked for a bearer token without a usable realm (\"\(header.prefix(200))\")")
            }
            var items = components.queryItems ?? []
            if let service = challenge.parameters["service"] { items.append(URLQueryItem(name: "service", value: service)) }
            items.append(URLQueryItem(name: "scope", value: challenge.parameters["scope"] ?? "repository:\(repository):pull"))
            components.queryItems = items
            guard let url = components.url else {
                throw ImageError(.unauthorized, "registry \(host): the token realm \(realm) is not a valid URL")
            }
            var request = URLRequest(url: url)
            request.timeoutInterval = settings.requestTimeoutSeconds
            if let basic { request.setValue(basic, forHTTPHeaderField: "Authorization") }
            let data: Data
            let status: Int
            do {
                let (body, raw) = try await session.data(for: request)
                data = body
                status = (raw as? HTTPURLResponse)?.statusCode ?? 0
            } catch {
                throw transportError(error, what: "a token from \(realm)")
            }
            guard status == 200, data.count <= Self.maximumDocumentBytes else {
                throw ImageError(.unauthorized, "the token service \(realm) of registry \(host) answered \(status) for \(repository); check the credentials for \(host)")
            }
            struct TokenAnswer: Decodable {
                var token: String?
                var access_token: String?
            }
            guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: data),
                let token = answer.token ?? answer.access_token, !token.isEmpty
            else {
                throw ImageError(.unauthorized, "the token service \(realm) of registry \(host) sent no token")
            }
            authorizations.withLock { $0[repository] = "Bearer " + token }
        default:
            throw ImageError(.unauthorized, "registry \(host) denied access to \(repository) with an unsupported challenge \"\(header.prefix(200))\"")
        }
    }

    /// `Bearer realm="https://auth",service="reg",scope="repository:a:pull"` → scheme + parameters.
    static func parseChallenge(_ header: String) -> (scheme: String, parameters: [String: String]) {
        let trimmed = header.trimmingSpaces
        guard let space = trimmed.firstIndex(of: " ") else { return (trimmed, [:]) }
        let scheme = String(trimmed[..<space])
        var parameters: [String: String] = [:]
        var rest = Substring(trimmed[trimmed.index(after: space)...])
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                var end = rest.endIndex
                for index in rest.indices {
                    let character = rest[index]
                    if escaped { value.append(character); escaped = false; continue }
                    if character == "\\" { escaped = true; continue }
                    if character == "\"" { end = index; break }
                    value.append(character)
                }
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : ""
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            parameters[key] = value
        }
        return (scheme, parameters)
    }
}
