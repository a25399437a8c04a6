import ClusterModel

/// Why a command was refused. A refused command changes nothing (except that its index is
/// consumed, as a committed Raft entry is), and the manager reports the error to the caller.
public enum StateError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Indexes must increase strictly; a replayed or reordered log is a bug in the caller.
    case staleIndex(given: UInt64, latest: UInt64)
    case jobNotFound(namespace: String, id: String)
    case nodeNotFound(NodeID)
    case invalid(String)

    public var description: String {
        switch self {
        case .staleIndex(let given, let latest): "index \(given) is not after the latest applied index \(latest)"
        case .jobNotFound(let namespace, let id): "job \"\(id)\" not found in namespace \"\(namespace)\""
        case .nodeNotFound(let id): "node \(id) not found"
        case .invalid(let message): message
        }
    }
}

/// Why a lookup by ID prefix (as users type it: `roost alloc status 3f2a`) found no single
/// object.
public enum LookupError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(kind: String, prefix: String)
    /// Lists (a bounded number of) the matching IDs so the user can type a longer prefix.
    case ambiguous(kind: String, prefix: String, matches: [String])

    public var description: String {
        switch self {
        case .notFound(let kind, let prefix):
            "no \(kind) with ID prefix \"\(prefix)\""
        case .ambiguous(let kind, let prefix, let matches):
            "prefix \"\(prefix)\" matches several \(kind)s: " + matches.joined(separator: ", ")
        }
    }
}
