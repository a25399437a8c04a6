import ClusterModel

/// Fills in the runtime references a job leaves for the worker (`${NOMAD_ALLOC_ID}`,
/// `${env["HOME"]}`, `${attr.kernel.name}`, `${meta.rack}`, `${node.datacenter}`) in commands,
/// arguments, environment values and template data. A reference it does not know stays as
/// written, as Nomad does, so a typo is visible in the task's output rather than silently empty.
public struct RuntimeInterpolator: Sendable {
    /// The task's environment (NOMAD_* and ROOST_* included).
    public var environment: [String: String]
    public var node: Node
    public var region: String
    /// Job, group and task meta merged (task wins), consulted after the node's meta.
    public var meta: [String: String]

    public init(environment: [String: String], node: Node, region: String, meta: [String: String] = [:]) {
        self.environment = environment
        self.node = node
        self.region = region
        self.meta = meta
    }

    /// The longest reference body looked at; longer `${…}` runs are left as written.
    static let maximumReferenceLength = 512

    public func interpolate(_ text: String) -> String {
        guard text.contains("${") || text.contains("{{") else { return text }
        var output = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") ?? rest.firstRange(of: "{{") {
            let opener = rest[start]
            output += rest[..<start.lowerBound]
            let closer = opener == "${" ? "}" : "}}"
            let bodyStart = start.upperBound
            guard let end = rest[bodyStart...].firstRange(of: closer),
                rest.distance(from: bodyStart, to: end.lowerBound) <= Self.maximumReferenceLength
            else {
                output += opener
                rest = rest[bodyStart...]
                continue
            }
            let body = String(rest[bodyStart..<end.lowerBound])
            let value = opener == "${" ? resolve(body) : resolveTemplateAction(body)
            output += value ?? String(rest[start.lowerBound..<end.upperBound])
            rest = rest[end.upperBound...]
        }
        output += rest
        return output
    }

    /// One `${…}` body; nil when unknown.
    func resolve(_ reference: String) -> String? {
        let key = reference.trimmed
        if let value = environment[key] { return value }
        if key.hasPrefix("env[") && key.hasSuffix("]") {
            let inner = key.dropFirst(4).dropLast().trimmed
            return environment[Self.unquoted(inner) ?? inner]
        }
        if key.hasPrefix("attr.") { return node.attributes[String(key.dropFirst(5))] }
        if key.hasPrefix("meta.") {
            let name = String(key.dropFirst(5))
            return node.meta[name] ?? meta[name]
        }
        if key.hasPrefix("node.") {
            switch key.dropFirst(5) {
            case "unique.id": return node.id.uuid
            case "unique.name": return node.name
            case "datacenter": return node.datacenter
            case "class": return node.nodeClass
            case "pool": return node.nodePool
            case "region": return region
            default: return nil
            }
        }
        return nil
    }

    /// The small subset of template actions raw_exec jobs commonly use: `{{ env "NAME" }}`.
    func resolveTemplateAction(_ action: String) -> String? {
        let words = action.trimmed.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 2, words[0] == "env", let name = Self.unquoted(String(words[1])) else { return nil }
        return environment[name] ?? ""
    }

    private static func unquoted(_ text: String) -> String? {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return nil }
        return String(text.dropFirst().dropLast())
    }
}

extension String {
    fileprivate var trimmed: String { String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}

extension Substring {
    fileprivate var trimmed: String { String(self).trimmed }
}
