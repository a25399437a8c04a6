/// Where each name of one namespace (tasks of a group, groups of a job) was first declared,
/// so that a repetition can point back at it. Most namespaces hold one or two names, which
/// a short list searched in order serves without hashing; past `hashedFrom` names a
/// dictionary keeps a file with thousands of groups linear.
struct FirstDeclarations {
    private var few: [(name: String, span: SourceSpan)] = []
    private var many: [String: SourceSpan] = [:]
    private static let hashedFrom = 8

    func span(of name: String) -> SourceSpan? {
        if few.count < Self.hashedFrom {
            for entry in few where BlockContent.sameName(entry.name, name) { return entry.span }
            return nil
        }
        return many[name]
    }

    /// Only for a name not declared yet.
    mutating func record(_ name: String, at span: SourceSpan) {
        if few.count < Self.hashedFrom {
            few.append((name, span))
            if few.count == Self.hashedFrom {
                many.reserveCapacity(Self.hashedFrom * 2)
                for entry in few { many[entry.name] = entry.span }
            }
        } else {
            many[name] = span
        }
    }
}
