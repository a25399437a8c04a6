/// Where an image comes from, parsed from a task's `image = "…"`:
/// - `registry.local:5000/team/app:1.2`, `app@sha256:…`, `busybox` (Docker Hub, `library/`, `latest`);
/// - `oci-layout:/path/to/layout[:tag]` (skopeo's `oci:` too), a local OCI image layout directory;
/// - `oci-archive:/path/to/image.tar[:tag]`, the same layout in a tar file, for air-gapped sites;
/// - `docker-archive:/path/to/image.tar[:tag]`, what `docker save` writes.
public enum ImageReference: Sendable, Hashable, CustomStringConvertible {
    case registry(host: String, repository: String, tag: String?, digest: Digest?)
    case layout(path: String, tag: String?)
    case archive(path: String, tag: String?)
    case dockerArchive(path: String, tag: String?)

    public static let dockerHubHost = "registry-1.docker.io"

    public static func parse(_ text: String) throws(ImageError) -> ImageReference {
        let text = text.trimmingSpaces
        guard !text.isEmpty, text.utf8.count <= 4096, !text.utf8.contains(where: { $0 < 0x21 || $0 == 0x7f }) else {
            throw ImageError(.badReference, "image \"\(text.prefix(100))\" is empty, too long or has spaces; write e.g. registry:5000/name:tag")
        }
        for prefix in ["oci-layout:", "oci:", "oci-archive:", "docker-archive:"] where text.hasPrefix(prefix) {
            let rest = String(text.dropFirst(prefix.count))
            var path = rest
            var tag: String?
            if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
                path = String(rest[..<colon])
                tag = String(rest[rest.index(after: colon)...])
            }
            guard path.hasPrefix("/"), tag.map({ !$0.isEmpty }) ?? true else {
                throw ImageError(.badReference, "image \"\(text)\": \(prefix) needs an absolute path, e.g. \(prefix)/srv/images/app:latest")
            }
            switch prefix {
            case "oci-archive:": return .archive(path: path, tag: tag)
            case "docker-archive:": return .dockerArchive(path: path, tag: tag)
            default: return .layout(path: path, tag: tag)
            }
        }
        var remainder = Substring(text)
        var digest: Digest?
        if let at = remainder.firstIndex(of: "@") {
            guard let parsed = Digest(String(remainder[remainder.index(after: at)...])) else {
                throw ImageError(.badReference, "image \"\(text)\": the part after @ must be sha256:<64 hex digits>")
            }
            digest = parsed
            remainder = remainder[..<at]
        }
        var tag: String?
        if let colon = remainder.lastIndex(of: ":"), !remainder[colon...].contains("/") {
            tag = String(remainder[remainder.index(after: colon)...])
            remainder = remainder[..<colon]
        }
        var components = remainder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var host = dockerHubHost
        if components.count > 1, let first = components.first, first.contains(".") || first.contains(":") || first == "localhost" {
            host = first
            components.removeFirst()
        } else if components.count == 1 {
            components.insert("library", at: 0)
        }
        let repository = components.joined(separator: "/")
        let validName = components.allSatisfy { component in
            !component.isEmpty
                && component.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 95 || $0 == 45 }
        }
        guard validName else {
            throw ImageError(.badReference, "image \"\(text)\": a repository name has lowercase letters, digits, '.', '_', '-' and '/' only")
        }
        if let tag, tag.isEmpty || tag.utf8.count > 128
            || !tag.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 95 || $0 == 45 })
        {
            throw ImageError(.badReference, "image \"\(text)\": a tag has letters, digits, '.', '_' and '-' only (at most 128)")
        }
        if tag == nil && digest == nil { tag = "latest" }
        return .registry(host: host, repository: repository, tag: tag, digest: digest)
    }

    public var description: String {
        switch self {
        case .registry(let host, let repository, let tag, let digest):
            return host + "/" + repository + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0.description } ?? "")
        case .layout(let path, let tag): return "oci-layout:" + path + (tag.map { ":" + $0 } ?? "")
        case .archive(let path, let tag): return "oci-archive:" + path + (tag.map { ":" + $0 } ?? "")
        case .dockerArchive(let path, let tag): return "docker-archive:" + path + (tag.map { ":" + $0 } ?? "")
        }
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" && $0 != "\n" }),
            let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" && $0 != "\n" })
        else { return "" }
        return String(scalars[start...end])
    }
}
