/// A dotted version (`1.2.3`, `v5.15.0-91-generic`, `2.0.0-rc.1+build`) compared the way
/// people expect: numerically per component, a pre-release before its release. Used by the
/// `version`/`semver` constraint operators and to order `<`/`>` operands that are versions.
struct VersionNumber: Comparable, Sendable {
    var components: [Int]
    var prerelease: [String]

    /// Lenient (`version`): any count of numeric components, optional `v`, and a suffix after
    /// `-` or `+` (a kernel's `-91-generic` reads as a pre-release tag). Strict (`semver`):
    /// exactly `major.minor.patch`.
    init?(_ text: String, strict: Bool = false) {
        var text = Substring(text.trimmingSpaces())
        if !strict, text.first == "v" || text.first == "V" { text = text.dropFirst() }
        if let plus = text.firstIndex(of: "+") { text = text[..<plus] }
        var pre: [String] = []
        if let dash = text.firstIndex(of: "-") {
            pre = text[text.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !pre.contains(where: \.isEmpty) else { return nil }
            text = text[..<dash]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 16, !strict || parts.count == 3 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 18, part.allSatisfy(\.isASCIIDigit), let number = Int(part) else { return nil }
            numbers.append(number)
        }
        components = numbers
        prerelease = pre
    }

    static func < (lhs: VersionNumber, rhs: VersionNumber) -> Bool { compare(lhs, rhs) < 0 }
    static func == (lhs: VersionNumber, rhs: VersionNumber) -> Bool { compare(lhs, rhs) == 0 }

    /// Missing components count as zero (`1.2` equals `1.2.0`).
    static func compare(_ lhs: VersionNumber, _ rhs: VersionNumber) -> Int {
        for position in 0..<max(lhs.components.count, rhs.components.count) {
            let left = position < lhs.components.count ? lhs.components[position] : 0
            let right = position < rhs.components.count ? rhs.components[position] : 0
            if left != right { return left < right ? -1 : 1 }
        }
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): break
        }
        for position in 0..<max(lhs.prerelease.count, rhs.prerelease.count) {
            guard position < lhs.prerelease.count else { return -1 }
            guard position < rhs.prerelease.count else { return 1 }
            let left = lhs.prerelease[position]
            let right = rhs.prerelease[position]
            if left == right { continue }
            switch (Int(left), Int(right)) {
            case (let l?, let r?): return l < r ? -1 : 1
            case (_?, nil): return -1
            case (nil, _?): return 1
            case (nil, nil): return left < right ? -1 : 1
            }
        }
        return 0
    }

    /// Whether the version meets a requirement such as `>= 1.2, < 2.0` or `~> 1.4`.
    /// Returns nil when the requirement cannot be read.
    func satisfies(_ requirement: String, strict: Bool) -> Bool? {
        let clauses = requirement.split(separator: ",")
        guard !clauses.isEmpty, clauses.count <= 32 else { return nil }
        for clause in clauses {
            var text = Substring(String(clause).trimmingSpaces())
            var op = "="
            for candidate in ["~>", ">=", "<=", "!=", "==", ">", "<", "="] where text.hasPrefix(candidate) {
                op = candidate
                text = text.dropFirst(candidate.count)
                break
            }
            guard let bound = VersionNumber(String(text), strict: strict) else { return nil }
            let order = Self.compare(self, bound)
            let holds: Bool
            switch op {
            case "=", "==": holds = order == 0
            case "!=": holds = order != 0
            case ">": holds = order > 0
            case ">=": holds = order >= 0
            case "<": holds = order < 0
            case "<=": holds = order <= 0
            default:
                // Pessimistic: at least the bound, and below the next release of its
                // second-to-last component (`~> 1.4.2` allows 1.4.x, `~> 1.4` allows 1.x).
                var ceiling = Array(bound.components.dropLast())
                if ceiling.isEmpty {
                    holds = order >= 0
                } else {
                    ceiling[ceiling.count - 1] = ceiling[ceiling.count - 1].saturatingAdd(1)
                    let upper = VersionNumber(components: ceiling, prerelease: [])
                    holds = order >= 0 && Self.compare(VersionNumber(components: components, prerelease: []), upper) < 0
                }
            }
            if !holds { return false }
        }
        return true
    }

    private init(components: [Int], prerelease: [String]) {
        self.components = components
        self.prerelease = prerelease
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

extension String {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[start...end])
    }
}
