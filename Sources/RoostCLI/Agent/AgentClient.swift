import API
import Foundation
import HTTP

/// The CLI's connection to an agent's HTTP API: finds the agent (`--address`, then
/// `ROOST_ADDR`, then the dev agent's default), sends requests, and turns the API's JSON errors
/// into command errors that say what went wrong.
struct AgentClient: Sendable {
    let http: HTTPClient
    /// The ACL token's secret sent with every request (`--token`, else `ROOST_TOKEN`).
    var token: String? = nil

    static let defaultAddress = "http://127.0.0.1:\(AgentOptions.defaultHTTPPort)"
    static let addressVariable = "ROOST_ADDR"
    static let tokenVariable = "ROOST_TOKEN"

    /// `--address` on every command that talks to the agent, and `--json` on every read.
    static let addressOption = OptionDescription(
        "address", kind: .value(placeholder: "URL"),
        help: "The agent's HTTP API (default: $ROOST_ADDR, else \(defaultAddress)).")
    static let jsonOption = OptionDescription("json", help: "Print the API's JSON answer instead of a table.")
    /// Added to every command that takes `--address` (see `Command.allOptions`).
    static let tokenOption = OptionDescription(
        "token", kind: .value(placeholder: "SECRET"),
        help: "The ACL token's secret a server cluster needs (default: $\(tokenVariable)).")

    static func connect(_ arguments: ParsedArguments, in context: CommandContext) throws(CommandError) -> AgentClient {
        let address = arguments.values(of: "address").last
            ?? context.environment[addressVariable].flatMap { $0.isEmpty ? nil : $0 }
            ?? defaultAddress
        let token = arguments.values(of: tokenOption.name).last ?? context.environment[tokenVariable]
        do {
            return AgentClient(http: try HTTPClient(address: address), token: token.flatMap { $0.isEmpty ? nil : $0 })
        } catch {
            throw .usage("\(error.message)", hint: "set --address or \(addressVariable) to the agent's URL, e.g. \(defaultAddress)")
        }
    }

    /// GETs a JSON value and the index it reflects (for blocking queries).
    func get<Value: Decodable>(_ target: String, as type: Value.Type) async throws(CommandError) -> (value: Value, index: UInt64) {
        let response = try await send(.get, target)
        do {
            let value = try APIJSON.decode(type, from: response.body)
            return (value, UInt64(response.headers["X-Roost-Index"] ?? "") ?? 0)
        } catch {
            throw .failure("the agent's answer to GET \(target) could not be read: \(error)")
        }
    }

    /// GETs the raw JSON text (for `--json`).
    func getText(_ target: String) async throws(CommandError) -> String {
        String(decoding: try await send(.get, target).body, as: UTF8.self)
    }

    func send(_ method: HTTPMethod, _ target: String, body: [UInt8] = []) async throws(CommandError) -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            var headers = credentials
            if !body.isEmpty { headers.set("Content-Type", "application/json") }
            response = try await http.send(method, target, headers: headers, body: body)
        } catch let error as HTTPClientError {
            throw .failure(error.message)
        } catch {
            throw .failure("\(error)")
        }
        guard (200..<300).contains(response.status.code) else { throw Self.failure(from: response) }
        return response
    }

    /// Streams a response body (for `alloc logs -f`).
    func stream(_ target: String) async throws(CommandError) -> AsyncThrowingStream<[UInt8], any Error> {
        do {
            let response = try await http.stream(.get, target, headers: credentials)
            guard (200..<300).contains(response.status.code) else {
                var body: [UInt8] = []
                for try await chunk in response.body where body.count < 65_536 { body += chunk }
                throw Self.failure(from: HTTPClientResponse(status: response.status, headers: response.headers, body: body))
            }
            return response.body
        } catch let error as CommandError {
            throw error
        } catch let error as HTTPClientError {
            throw .failure(error.message)
        } catch {
            throw .failure("\(error)")
        }
    }

    /// The token header, when a token was given.
    var credentials: HTTPHeaders {
        var headers = HTTPHeaders()
        if let token { headers.set("X-Roost-Token", token) }
        return headers
    }

    /// The API's `{"code","message"}` as a command error, with the job file's diagnostics.
    static func failure(from response: HTTPClientResponse) -> CommandError {
        guard let body = APIErrorBody.decoded(from: response.body) else {
            return .failure("the agent answered \(response.status): \(String(decoding: response.body.prefix(500), as: UTF8.self))")
        }
        var message = body.message
        if let diagnostics = body.diagnostics, !diagnostics.isEmpty {
            message = diagnostics.joined(separator: "\n")
        }
        return .failure(message)
    }

    /// Percent-encodes a path segment or query value (IDs and task names come from users).
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUnreservedCharacters) ?? text
    }
}

extension CharacterSet {
    static let urlUnreservedCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
