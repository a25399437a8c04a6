/// One client operation as the outside world saw it: when it was invoked, when (and with what)
/// it was answered. An operation whose answer never came (the node crashed, the client gave up)
/// has no `response`: it may or may not have taken effect, at any time after its invocation.
struct SimulationOperation: Sendable, Hashable, CustomStringConvertible {
    var client: UInt32
    var operation: SimulationCommand.Operation
    var invoked: UInt64
    var response: (time: UInt64, output: SimulationKeyValueStore.Output)?

    init(client: UInt32, operation: SimulationCommand.Operation, invoked: UInt64,
         respondedAt time: UInt64? = nil, output: SimulationKeyValueStore.Output? = nil) {
        self.client = client
        self.operation = operation
        self.invoked = invoked
        if let time, let output {
            response = (time, output)
        }
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.client == rhs.client && lhs.operation == rhs.operation && lhs.invoked == rhs.invoked
            && lhs.response?.time == rhs.response?.time && lhs.response?.output == rhs.response?.output
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(client)
        hasher.combine(operation)
        hasher.combine(invoked)
        hasher.combine(response?.time)
        hasher.combine(response?.output)
    }

    var description: String {
        let answer = response.map { "\($0.output) @\($0.time)" } ?? "no answer"
        return "c\(client) \(operation) @\(invoked) -> \(answer)"
    }
}
