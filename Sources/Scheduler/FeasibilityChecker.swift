import ClusterModel

/// Decides whether a node can run a group at all, before resources are considered: drivers
/// present and healthy, and every job, group and task constraint holding on the node's
/// attributes. The answer for a rejected node is the reason users see in
/// `AllocationMetrics.constraintFiltered`.
///
/// `distinct_hosts` and `distinct_property` depend on where the job's other allocations
/// are, so they are checked during placement, not here.
struct FeasibilityChecker {
    /// Compiled `regexp` constraints by pattern (nil when the pattern does not compile), so a
    /// pattern is compiled once per evaluation rather than once per node.
    private var regexes: [String: Regex<AnyRegexOutput>?] = [:]

    static let maximumPatternLength = 1024

    /// The reason the node cannot run the group, or nil when it can.
    mutating func rejection(of node: Node, job: JobSpec, group: GroupSpec) -> String? {
        for driver in Set(group.tasks.map(\.driver)).sorted() {
            if let reason = Self.driverRejection(driver, on: node) { return reason }
        }
        if let reason = Self.networkRejection(group, on: node) { return reason }
        for constraint in job.constraints + group.constraints + group.tasks.flatMap(\.constraints) {
            if !holds(constraint, on: node) { return Self.reason(for: constraint) }
        }
        return nil
    }

    static func reason(for constraint: Constraint) -> String {
        var text = "constraint \(constraint.leftTarget) \(constraint.operand)"
        if !constraint.rightTarget.isEmpty { text += " \(constraint.rightTarget)" }
        return text
    }

    /// `docker` is accepted as a name for the `oci` driver (DESIGN §3).
    static func driverRejection(_ driver: String, on node: Node) -> String? {
        let names = driver == "docker" ? ["docker", "oci"] : [driver]
        var unhealthy = false
        for name in names {
            if let health = node.drivers[name], health.detected {
                if health.healthy { return nil }
                unhealthy = true
            } else if node.drivers[name] == nil, let flag = node.attributes["driver.\(name)"], flag == "1" || flag == "true" {
                return nil
            }
        }
        return unhealthy ? "unhealthy driver \"\(driver)\"" : "missing driver \"\(driver)\""
    }

    /// A group in `bridge` or `none` network mode needs a node that builds such networks: it
    /// says so with `network.bridge` / `network.none` (root, the ip and iptables programs, an
    /// OCI runtime). Host networking is everywhere.
    static func networkRejection(_ group: GroupSpec, on node: Node) -> String? {
        for network in group.networks where network.mode != "host" {
            let flag = node.attributes["network.\(network.mode)"]
            if flag != "1" && flag != "true" { return "missing network mode \"\(network.mode)\"" }
        }
        return nil
    }

    /// Whether a (non-placement) constraint holds on the node. Placement operators hold here.
    mutating func holds(_ constraint: Constraint, on node: Node) -> Bool {
        let left = Self.resolve(constraint.leftTarget, on: node)
        let right = Self.resolve(constraint.rightTarget, on: node)
        switch constraint.operand {
        case "=", "==", "is":
            return left != nil && left == right
        case "!=", "not":
            return left != right
        case "<", "<=", ">", ">=":
            guard let left, let right else { return false }
            let order = Self.order(left, right)
            switch constraint.operand {
            case "<": return order < 0
            case "<=": return order <= 0
            case ">": return order > 0
            default: return order >= 0
            }
        case "version", "semver":
            let strict = constraint.operand == "semver"
            guard let left, let right, let version = VersionNumber(left, strict: strict) else { return false }
            return version.satisfies(right, strict: strict) ?? false
        case "regexp":
            guard let left, let right, let regex = regex(right) else { return false }
            return left.contains(regex)
        case "set_contains", "set_contains_all":
            guard let left, let right else { return false }
            return Set(Self.items(right)).isSubset(of: Self.items(left))
        case "set_contains_any":
            guard let left, let right else { return false }
            return !Set(Self.items(right)).isDisjoint(with: Self.items(left))
        case "is_set":
            return left != nil
        case "is_not_set":
            return left == nil
        case "distinct_hosts", "distinct_property":
            return true
        default:
            // An operator the decoder let through but nobody implements: safer to place nowhere
            // than to ignore a rule the user wrote.
            return false
        }
    }

    /// Reads a constraint target on a node: `${attr.<key>}`, `${meta.<key>}`,
    /// `${node.unique.id}`, `${node.unique.name}`, `${node.datacenter}`, `${node.class}`,
    /// `${node.pool}`; anything else is a literal. Nil when the node does not have the value.
    static func resolve(_ target: String, on node: Node) -> String? {
        guard target.hasPrefix("${"), target.hasSuffix("}"), target.count >= 3 else { return target }
        let name = String(target.dropFirst(2).dropLast())
        switch name {
        case "node.unique.id": return node.id.uuid
        case "node.unique.name": return node.name
        case "node.datacenter": return node.datacenter
        case "node.class": return node.nodeClass
        case "node.pool": return node.nodePool
        default:
            if name.hasPrefix("attr.") { return node.attributes[String(name.dropFirst(5))] }
            if name.hasPrefix("meta.") { return node.meta[String(name.dropFirst(5))] }
            return nil
        }
    }

    /// Orders two operands as numbers when both are, else as versions when both are, else
    /// lexically.
    static func order(_ left: String, _ right: String) -> Int {
        if let l = Int(left), let r = Int(right) { return l == r ? 0 : (l < r ? -1 : 1) }
        if let l = Double(left), let r = Double(right), l.isFinite, r.isFinite { return l == r ? 0 : (l < r ? -1 : 1) }
        if let l = VersionNumber(left), let r = VersionNumber(right) { return VersionNumber.compare(l, r) }
        return left == right ? 0 : (left < right ? -1 : 1)
    }

    static func items(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0).trimmingSpaces() }
    }

    private mutating func regex(_ pattern: String) -> Regex<AnyRegexOutput>? {
        if let cached = regexes[pattern] { return cached }
        let compiled = pattern.count <= Self.maximumPatternLength ? try? Regex(pattern) : nil
        regexes[pattern] = .some(compiled)
        return compiled
    }
}

/// Whether a datacenter name matches a job's `datacenters` entry, where `*` matches any run
/// of characters (`dc*`, `*`).
func datacenter(_ name: String, matches pattern: String) -> Bool {
    let text = Array(name.unicodeScalars)
    let glob = Array(pattern.unicodeScalars)
    var t = 0
    var g = 0
    var star = -1
    var mark = 0
    while t < text.count {
        if g < glob.count, glob[g] != "*", glob[g] == text[t] {
            t += 1
            g += 1
        } else if g < glob.count, glob[g] == "*" {
            star = g
            mark = t
            g += 1
        } else if star >= 0 {
            g = star + 1
            mark += 1
            t = mark
        } else {
            return false
        }
    }
    while g < glob.count, glob[g] == "*" { g += 1 }
    return g == glob.count
}
