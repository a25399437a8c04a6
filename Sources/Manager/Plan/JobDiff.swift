import ClusterModel
import Foundation
import Jobspec

/// What changed between two versions of a job, as `roost job plan` prints it: one line per
/// changed field, named by its path in Nomad's JSON job (`TaskGroups[web].Count`), with `+`
/// for added, `-` for removed and `~` for changed values.
///
/// Why through the JSON form: it is the one complete, stable rendering of a job the API
/// already speaks, so every field a user can write is covered without a hand-kept list, and
/// the names are those of `roost job inspect`. Lists of named things (groups, tasks,
/// services) are matched by `Name`, so reordering them is not a change.
public enum JobDiff {
    public static func lines(from old: JobSpec?, to new: JobSpec) -> [String] {
        let newTree = tree(of: new)
        guard let old else { return ["+ Job: \"\(new.id)\" (new)"] }
        var lines: [String] = []
        compare(tree(of: old), newTree, path: "", into: &lines)
        return lines
    }

    /// Lines are capped so a huge job cannot make a huge answer.
    static let maximumLines = 500

    static func tree(of job: JobSpec) -> Any {
        let text = NomadJSON.jobObject(job, appending: [])
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? [:]
    }

    private static func compare(_ old: Any?, _ new: Any?, path: String, into lines: inout [String]) {
        guard lines.count < maximumLines else { return }
        switch (old, new) {
        case (let a as [String: Any], let b as [String: Any]):
            for key in Set(a.keys).union(b.keys).sorted() {
                compare(a[key], b[key], path: path.isEmpty ? key : "\(path).\(key)", into: &lines)
            }
        case (let a as [Any], let b as [Any]) where isNamedList(a) && isNamedList(b):
            let byNameA = Dictionary(a.compactMap { item in (item as? [String: Any]).flatMap { name(of: $0).map { ($0, item) } } }, uniquingKeysWith: { x, _ in x })
            let byNameB = Dictionary(b.compactMap { item in (item as? [String: Any]).flatMap { name(of: $0).map { ($0, item) } } }, uniquingKeysWith: { x, _ in x })
            for key in Set(byNameA.keys).union(byNameB.keys).sorted() {
                compare(byNameA[key], byNameB[key], path: "\(path)[\(key)]", into: &lines)
            }
        default:
            let before = render(old)
            let after = render(new)
            guard before != after else { return }
            switch (isAbsent(old), isAbsent(new)) {
            case (true, false): lines.append("+ \(path): \(after)")
            case (false, true): lines.append("- \(path): \(before)")
            default: lines.append("~ \(path): \(before) => \(after)")
            }
        }
    }

    private static func isNamedList(_ items: [Any]) -> Bool {
        !items.isEmpty && items.allSatisfy { ($0 as? [String: Any]).flatMap(name(of:)) != nil }
    }

    private static func name(of object: [String: Any]) -> String? {
        (object["Name"] as? String) ?? (object["Label"] as? String)
    }

    private static func isAbsent(_ value: Any?) -> Bool {
        switch value {
        case nil, is NSNull: true
        case let list as [Any]: list.isEmpty
        case let map as [String: Any]: map.isEmpty
        default: false
        }
    }

    /// Compact JSON with sorted keys, so equal values render equally.
    private static func render(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "null" }
        if let text = value as? String { return "\"\(text)\"" }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
            let text = String(decoding: data, as: UTF8.self)
            return text.count > 200 ? String(text.prefix(197)) + "..." : text
        }
        return "\(value)"
    }
}
