/// The write the liveness phase pushes through after healing.
struct SimulationProbe {
    var proposals: [(index: UInt64, term: UInt64, data: [UInt8], at: UInt64)] = []
    var sequence: UInt32 = 0
    var isDone = false
    var detail = ""

    var summary: String {
        proposals.isEmpty ? "the probe was never accepted by a leader" : "\(proposals.count) probe(s) proposed; \(detail)"
    }
}
