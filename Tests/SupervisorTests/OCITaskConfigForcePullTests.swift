import ClusterModel
import Platform
import Testing

@testable import Supervisor

@Suite("OCI task config force_pull")
struct OCITaskConfigForcePullTests {
    private func config(_ values: [String: DynamicValue]) throws -> OCITaskConfig {
        try OCITaskConfig(values, interpolator: RuntimeInterpolator(environment: [:], node: OCIContainerSpecTests.node, region: "global"))
    }

    @Test("force_pull is off unless the task turns it on, as in Nomad's docker driver")
    func forcePullDefaultsOff() throws {
        #expect(try config(["image": .string("app:1.0")]).forcePull == false)
        #expect(try config(["image": .string("app:1.0"), "force_pull": .null]).forcePull == false)
        #expect(try config(["image": .string("app:1.0"), "force_pull": .bool(true)]).forcePull == true)
        #expect(try config(["image": .string("app:1.0"), "force_pull": .bool(false)]).forcePull == false)
    }

    @Test("a force_pull that is not a bool is refused, naming the key and what to write")
    func forcePullMustBeBool() throws {
        for value: DynamicValue in [.string("true"), .number(1), .list([.bool(true)])] {
            let error = #expect(throws: TaskPreparationError.self) { try config(["image": .string("app:1.0"), "force_pull": value]) }
            #expect(error?.message.contains("force_pull") == true)
            #expect(error?.message.contains("force_pull = true") == true)
            #expect(error?.message.contains(value.kindName) == true)
        }
    }
}
