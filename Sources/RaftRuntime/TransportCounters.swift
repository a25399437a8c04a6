import Synchronization

/// The statistics of one transport, shared by its threads.
final class TransportCounters: Sendable {
    private let value = Mutex(FrameTransportStatistics())

    func update(_ body: (inout FrameTransportStatistics) -> Void) {
        value.withLock { body(&$0) }
    }

    var snapshot: FrameTransportStatistics { value.withLock { $0 } }
}
