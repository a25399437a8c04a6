/// What a certificate lets its node do: a worker runs tasks and talks to managers; a manager
/// also replicates the state. Which join token verified decides it.
public enum NodeRole: UInt8, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case worker = 1
    case manager = 2

    public var description: String { self == .worker ? "worker" : "manager" }
}
