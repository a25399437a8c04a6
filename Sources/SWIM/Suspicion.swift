/// A running suspicion of one member: when it started, at which incarnation, and who has
/// independently suspected it (Lifeguard shortens the timeout with each distinct suspector).
struct Suspicion: Sendable {
    var incarnation: UInt64
    var startedAt: SWIMInstant
    /// The first suspector and every distinct confirmer after it.
    var suspectors: Set<SWIMNodeID>
    /// How many confirmations bring the timeout down to its minimum.
    var expectedConfirmations: Int
    var deadline: SWIMInstant

    var confirmations: Int { max(0, suspectors.count - 1) }
}
