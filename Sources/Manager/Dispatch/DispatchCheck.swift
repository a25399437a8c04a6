import ClusterModel
import Jobspec

/// The rules a dispatch must follow, as pure functions of the parent job and the request. The
/// manager runs them before proposing (for a precise answer), and the state machine runs them
/// again when the command is applied, so a job stopped or changed in between is never
/// dispatched with rules it no longer has.
enum DispatchCheck {
    /// As in Nomad: a payload is input for one run (a file name, a small document), not a way
    /// to move data; anything bigger belongs in an artifact the task downloads.
    static let maximumPayloadBytes = 16 * 1024
    /// Bounds on the metadata a dispatch may add, so a request cannot bloat the state.
    static let maximumMetaEntries = 256
    static let maximumMetaValueBytes = 4 * 1024
    static let maximumPrefixTemplateLength = 64

    /// Every reason the request cannot be dispatched from `parent`, each saying what to change;
    /// empty when it can.
    static func problems(dispatching request: DispatchRequest, from parent: JobRecord) -> [String] {
        let job = parent.spec
        guard let rules = job.parameterized else {
            let hint = job.isDispatched
                ? "it was itself dispatched from \"\(job.parentID ?? "")\"; dispatch that job instead"
                : "only jobs with a parameterized { … } block can be dispatched; run this one with \"roost job run\""
            return ["job \"\(job.id)\" is not parameterized: \(hint)"]
        }
        if parent.stopped {
            return ["job \"\(job.id)\" is stopped: register it again with \"roost job run FILE\" before dispatching it"]
        }
        var problems: [String] = []
        switch (rules.payload, request.payload.isEmpty) {
        case (.required, true):
            problems.append(
                "job \"\(job.id)\" requires a payload (parameterized { payload = \"required\" }): pass a file, or - to read standard input, after the job name")
        case (.forbidden, false):
            problems.append(
                "job \"\(job.id)\" does not accept a payload (parameterized { payload = \"forbidden\" }): dispatch it without a payload file")
        default:
            break
        }
        if request.payload.count > maximumPayloadBytes {
            problems.append(
                "the payload is \(request.payload.count) bytes, more than the \(maximumPayloadBytes) bytes (16 KiB) a dispatch may carry: pass a reference to the data (a URL or a path) and let the task fetch it")
        }
        let missing = rules.requiredMeta.filter { request.meta[$0] == nil }
        if !missing.isEmpty {
            let keys = missing.map { "\"\($0)\"" }.joined(separator: ", ")
            let flags = missing.map { "-meta \($0)=VALUE" }.joined(separator: " ")
            problems.append("job \"\(job.id)\" requires meta \(missing.count == 1 ? "key" : "keys") \(keys): add \(flags)")
        }
        let accepted = rules.requiredMeta + rules.optionalMeta
        for key in request.meta.keys.sorted() where !accepted.contains(key) {
            let hint = Suggestion.hint(for: key, among: accepted).map { " (\($0))" } ?? ""
            let allowed = accepted.isEmpty
                ? "it accepts no meta keys"
                : "it accepts \(accepted.map { "\"\($0)\"" }.joined(separator: ", "))"
            problems.append("meta key \"\(key)\" is not accepted by job \"\(job.id)\"\(hint): \(allowed) (meta_required and meta_optional)")
        }
        if request.meta.count > maximumMetaEntries {
            problems.append("the dispatch carries \(request.meta.count) meta entries; at most \(maximumMetaEntries) are allowed")
        }
        for (key, value) in request.meta.sorted(by: { $0.key < $1.key }) where value.utf8.count > maximumMetaValueBytes {
            problems.append("meta \"\(key)\" is \(value.utf8.count) bytes; a meta value may have at most \(maximumMetaValueBytes): put larger input in the payload")
        }
        if let problem = prefixTemplateProblem(request.idPrefixTemplate) { problems.append(problem) }
        return problems
    }

    static func prefixTemplateProblem(_ template: String) -> String? {
        let allowed = template.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
        guard !allowed || template.count > maximumPrefixTemplateLength else { return nil }
        return "the ID prefix template \"\(template.prefix(maximumPrefixTemplateLength))\" must be at most \(maximumPrefixTemplateLength) letters, digits, '-', '_' or '.'"
    }

    /// The child's ID: `<parent>/dispatch-[<template>-]<unix seconds>-<8 hex digits>`, so
    /// children sort by launch time and a listing by the parent's prefix finds them all.
    static func childID(parent: String, template: String, now: Timestamp, suffix: UInt32) -> String {
        let seconds = now.nanosecondsSinceEpoch / 1_000_000_000
        let hex = String(suffix, radix: 16)
        let padded = String(repeating: "0", count: max(0, 8 - hex.count)) + hex
        let word = template.isEmpty ? "" : template + "-"
        return "\(parent)/dispatch-\(word)\(seconds)-\(padded)"
    }

    /// The job the dispatch launches: the parent's spec under the child's ID, with the
    /// dispatch's metadata over the parent's (so tasks read it as `NOMAD_META_<key>`), the
    /// payload kept with it, and no `parameterized` block (a child runs; it is not a template).
    static func child(of parent: JobSpec, id: String, request: DispatchRequest) -> JobSpec {
        var child = parent
        child.id = id
        child.name = id
        child.parameterized = nil
        child.periodic = nil
        child.parentID = parent.id
        child.payload = request.payload
        for (key, value) in request.meta { child.meta[key] = value }
        return child
    }
}
