import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Answers URLSession's own handling of `401` + `WWW-Authenticate: Basic` (bearer challenges
/// reach `RegistryClient` as plain 401s): with the agent's credentials for the host once, else
/// by cancelling and remembering why. Without a delegate, Linux Foundation leaves such a
/// request suspended forever, timeouts included (swift-corelibs-foundation issue 5456).
final class RegistrySessionDelegate: NSObject, URLSessionTaskDelegate, Sendable {
    let credentials: RegistryCredentials?
    /// Set when a Basic challenge was declined: the "cancelled" error that follows means
    /// "credentials needed or wrong", not a network problem.
    let declinedBasicChallenge = Mutex(false)

    init(credentials: RegistryCredentials?) {
        self.credentials = credentials
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        if challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodHTTPBasic,
            challenge.previousFailureCount == 0, let credentials
        {
            completionHandler(.useCredential, URLCredential(user: credentials.username, password: credentials.password, persistence: .forSession))
            return
        }
        declinedBasicChallenge.withLock { $0 = true }
        completionHandler(.cancelAuthenticationChallenge, nil)
    }
}

/// A client of the OCI distribution API (`/v2/`): manifests and blobs of one registry host,
/// with anonymous access, bearer tokens from the `WWW-Authenticate` challenge, and basic auth.
/// Plain http only for hosts the settings list as insecure.
public final class RegistryClient: Sendable {
    public let host: String
    let settings: RegistrySettings
    let session: URLSession
    let delegate: RegistrySessionDelegate
    /// `Authorization` header values that worked, per repository (bearer tokens are scoped).
    let authorizations = Mutex<[String: String]>([:])

    /// The most bytes of a manifest or token response read into memory.
    public static let maximumDocumentBytes = 4 << 20

    public init(host: String, settings: RegistrySettings) {
        self.host = host
        self.settings = settings
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = settings.requestTimeoutSeconds
        configuration.timeoutIntervalForResource = settings.downloadTimeoutSeconds
        configuration.httpMaximumConnectionsPerHost = 4
        delegate = RegistrySessionDelegate(credentials: settings.credentials[host])
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.finishTasksAndInvalidate() }

    var baseURL: String {
        let apiHost = host == "docker.io" ? ImageReference.dockerHubHost : host
        return (settings.insecureRegistries.contains(host) ? "http://" : "https://") + apiHost
    }

    /// Fetches a manifest or index by tag or digest. Returns the exact bytes (their digest is
    /// the image's identity), the media type and the digest, checked against the reference's
    /// digest or the registry's `Docker-Content-Digest`.
    public func manifest(repository: String, reference: String) async throws(ImageError) -> (bytes: [UInt8], mediaType: String, digest: Digest) {
        let url = "\(baseURL)/v2/\(repository)/manifests/\(reference)"
        let (data, response) = try await send(url: url, repository: repository, accept: MediaType.manifestAccept)
        let bytes = [UInt8](data)
        guard response.statusCode == 200 else {
            throw failure(response: response, body: bytes, what: "manifest \(repository):\(reference)", repository: repository)
        }
        guard bytes.count <= Self.maximumDocumentBytes else {
            throw ImageError(.badDocument, "manifest \(host)/\(repository):\(reference) is larger than 4 MiB; this is not an image manifest")
        }
        let actual = Digest(hashing: bytes)
        if let expected = Digest(reference), expected != actual {
            throw ImageError(.digestMismatch, "digest mismatch for manifest \(host)/\(repository)@\(expected): the registry sent \(actual)")
        }
        if let header = response.value(forHTTPHeaderField: "Docker-Content-Digest"), let claimed = Digest(header), claimed != actual {
            throw ImageError(.digestMismatch, "digest mismatch for manifest \(host)/\(repository):\(reference): the registry says \(claimed), the body is \(actual)")
        }
        var mediaType = response.value(forHTTPHeaderField: "Content-Type") ?? ""
        if let semicolon = mediaType.firstIndex(of: ";") { mediaType = String(mediaType[..<semicolon]) }
        return (bytes, mediaType, actual)
    }

    /// Downloads a blob into `temporaryPath` (the caller verifies and files it).
    public func downloadBlob(repository: String, digest: Digest, to temporaryPath: String) async throws(ImageError) {
        let url = "\(baseURL)/v2/\(repository)/blobs/\(digest)"
        var lastError: ImageError?
        for attempt in 0..<2 {
            var request = URLRequest(url: URL(string: url) ?? URL(fileURLWithPath: "/"))
            request.timeoutInterval = settings.requestTimeoutSeconds
            if let authorization = authorizations.withLock({ $0[repository] }) {
                request.setValue(authorization, forHTTPHeaderField: "Authorization")
            }
            let location: URL
            let response: HTTPURLResponse
            do {
                let (file, raw) = try await session.download(for: request)
                guard let http = raw as? HTTPURLResponse else {
                    throw ImageError(.transport, "blob \(digest) from \(host): not an HTTP response")
                }
                location = file
                response = http
            } catch let error as ImageError {
                throw error
            } catch {
                throw transportError(error, what: "blob \(digest) of \(repository)")
            }
            if response.statusCode == 401 && attempt == 0 {
                try? FileManager.default.removeItem(at: location)
                try await authenticate(response: response, repository: repository)
                continue
            }
            guard response.statusCode == 200 else {
                let body = (try? Data(contentsOf: location).prefix(4096)).map { [UInt8]($0) } ?? []
                try? FileManager.default.removeItem(at: location)
                lastError = failure(response: response, body: body, what: "blob \(digest)", repository: repository)
                break
            }
            do {
                try? FileManager.default.removeItem(atPath: temporaryPath)
                try FileManager.default.moveItem(at: location, to: URL(fileURLWithPath: temporaryPath))
            } catch {
                throw ImageError(.io, "cannot move the download of blob \(digest) to \(temporaryPath): \(error.localizedDescription)")
            }
            return
        }
        throw lastError ?? ImageError(.unauthorized, "registry \(host) refused access to \(repository) after authenticating; check the credentials in the agent configuration")
    }

    /// GET `url` with the cached authorization; on 401 answers the challenge once and retries.
    func send(url: String, repository: String, accept: String?) async throws(ImageError) -> (Data, HTTPURLResponse) {
        for attempt in 0..<2 {
            guard let target = URL(string: url) else { throw ImageError(.badReference, "\(url) is not a valid URL") }
            var request = URLRequest(url: target)
            request.timeoutInterval = settings.requestTimeoutSeconds
            if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
            if let authorization = authorizations.withLock({ $0[repository] }) {
                request.setValue(authorization, forHTTPHeaderField: "Authorization")
            }
            let data: Data
            let response: HTTPURLResponse
            do {
                let (body, raw) = try await session.data(for: request)
                guard let http = raw as? HTTPURLResponse else {
                    throw ImageError(.transport, "\(url): not an HTTP response")
                }
                data = body
                response = http
            } catch let error as ImageError {
                throw error
            } catch {
                throw transportError(error, what: url)
            }
            if response.statusCode == 401 && attempt == 0 {
                try await authenticate(response: response, repository: repository)
                continue
            }
            return (data, response)
        }
        throw ImageError(.unauthorized, "registry \(host) refused access to \(repository) after authenticating; check the credentials in the agent configuration")
    }

    func transportError(_ error: any Error, what: String) -> ImageError {
        let nsError = error as NSError
        if nsError.domain == NSURLErrorDomain && nsError.code == NSURLErrorCancelled && delegate.declinedBasicChallenge.withLock({ $0 }) {
            let hint = settings.credentials[host] == nil ? "add credentials for \(host) to the agent configuration" : "check the credentials for \(host)"
            return ImageError(.unauthorized, "registry \(host) needs a user name and password (basic auth) for \(what); \(hint)")
        }
        if nsError.domain == NSURLErrorDomain && nsError.code == NSURLErrorTimedOut {
            return ImageError(.transport, "registry \(host) did not answer within \(Int(settings.requestTimeoutSeconds)) s for \(what); check that it is up and reachable")
        }
        return ImageError(.transport, "cannot reach registry \(host) for \(what): \(nsError.localizedDescription); check the address, the port and whether it speaks https (list it under insecure registries for http)")
    }

    /// An error from a non-2xx answer, using the registry's `{"errors":[{"code":…}]}` body.
    func failure(response: HTTPURLResponse, body: [UInt8], what: String, repository: String) -> ImageError {
        struct Errors: Decodable {
            struct Entry: Decodable {
                var code: String?
                var message: String?
            }
            var errors: [Entry]?
        }
        let entry = (try? JSONDecoder().decode(Errors.self, from: Data(body.prefix(65536))))?.errors?.first
        let code = entry?.code ?? ""
        let detail = entry?.message.map { ": " + $0 } ?? ""
        switch (response.statusCode, code) {
        case (404, _) where code == "MANIFEST_UNKNOWN" || code == "NAME_UNKNOWN" || what.hasPrefix("manifest"):
            return ImageError(.manifestUnknown, "manifest unknown: \(what) is not in registry \(host)\(detail); check the image name and tag")
        case (404, _):
            return ImageError(.registry, "\(what) is not in registry \(host) (\(code.isEmpty ? "404" : code))\(detail); re-push the image")
        case (401, _), (403, _):
            return ImageError(.unauthorized, "registry \(host) denied access to \(repository) (\(response.statusCode) \(code))\(detail); add credentials for \(host) to the agent configuration")
        default:
            return ImageError(.registry, "registry \(host) answered \(response.statusCode) \(code) for \(what)\(detail)")
        }
    }
}
