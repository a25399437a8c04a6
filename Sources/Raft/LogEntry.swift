/// One entry of the replicated log. `data` is opaque to Raft: the state machine's command for
/// `.command`, an encoded `RaftConfiguration` change for `.configurationChange`, nothing for
/// `.empty` (the entry a new leader appends to commit entries of earlier terms, §5.4.2).
public struct LogEntry: Sendable, Hashable, Codable {
    public enum Kind: UInt8, Sendable, Hashable, Codable {
        case empty = 0
        case command = 1
        case configurationChange = 2
    }

    public var term: UInt64
    public var index: UInt64
    public var kind: Kind
    public var data: [UInt8]

    public init(term: UInt64, index: UInt64, kind: Kind = .command, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }
}
