import ClusterModel
import Testing

@testable import Jobspec

/// The decoder keeps small namespaces (a group's tasks, a network's ports, a job's groups)
/// in short lists and switches to hashing when they grow; these pin that a clash is found
/// the same way on both sides of that switch, and that the key table knows every name.
@Suite struct JobDecoderScaleTests {
    @Test func aRepeatedGroupNameIsFoundAmongManyGroups() throws {
        let outcome = DecoderFixture {
            block("job", "web") {
                for index in 0..<12 { block("group", "g\(index)") }
                block("group", "g3")
            }
        }.decoded()
        let error = try #require(outcome.error(containing: "group \"g3\" is declared twice in job \"web\""))
        #expect(error.start.line == 26)
        #expect(error.hint?.hasPrefix("the first is at line 8;") == true)
        #expect(outcome.errors.count == 1, "\(outcome.report)")
    }

    @Test func aRepeatedTaskNameIsFoundAmongManyTasks() throws {
        let outcome = DecoderFixture {
            block("job", "web") {
                block("group", "app") {
                    for index in 0..<10 { block("task", "t\(index)") { attr("driver", "exec") } }
                    block("task", "t9") { attr("driver", "exec") }
                }
            }
        }.decoded()
        let error = try #require(outcome.error(containing: "task \"t9\" is declared twice in group \"app\""))
        #expect(error.start.line == 33)
        #expect(error.hint == "the first is at line 30")
        #expect(outcome.errors.count == 1, "\(outcome.report)")
    }

    @Test func portLabelsDifferingOnlyInCaseCollideAmongManyPorts() throws {
        let outcome = minimalJob(group: {
            block("network") {
                for index in 0..<10 { block("port", "p\(index)") {} }
                block("port", "P2") {}
            }
        }).decoded()
        let error = try #require(outcome.error(containing: "port label collision"))
        #expect(error.message == "port label collision: \"P2\" is already used by port \"p2\" at line 8")
        #expect(error.start.line == 24)
        #expect(outcome.errors.count == 1, "\(outcome.report)")
        #expect(outcome.job == nil)
    }

    @Test func manyDistinctPortsAllReachTheNetwork() throws {
        let outcome = minimalJob(group: {
            block("network") {
                for index in 0..<20 { block("port", "port_\(index)") {} }
            }
        }).decoded()
        let group = try #require(outcome.job?.groups.first, "\(outcome.report)")
        #expect(group.networks.first?.dynamicPorts.map(\.label) == (0..<20).map { "port_\($0)" })
    }

    @Test func keysLongerThanSixteenBytesAreKnownAndUnknownOnesAreReported() throws {
        let outcome = minimalJob(group: {
            attr("stop_after_client_disconnect", "90s")
            attr("stop_after_client_disconect", "90s")
        }).decoded()
        #expect(outcome.error(containing: "unknown attribute \"stop_after_client_disconect\" in group") != nil)
        #expect(outcome.errors.count == 1, "\(outcome.report)")
    }

    @Test func everyKeyOfEveryBlockIsKnownToItsSchema() {
        let schemas: [BlockSchema] = [
            .file, .job, .group, .task, .resources, .network, .port, .dns, .device, .service, .check, .checkRestart,
            .constraint, .affinity, .spread, .spreadTarget, .update, .migrate, .restart, .reschedule, .ephemeralDisk,
            .periodic, .parameterized, .logs, .lifecycle, .artifact, .template, .changeScript, .templateWait,
        ]
        for schema in schemas {
            let names = schema.attributes.union(schema.blocks).union(schema.unsupportedAttributes)
                .union(schema.unsupportedBlocks).union(schema.deprecatedAttributes.keys)
            var slots = Set<Int>()
            for name in names {
                let key = schema.key(for: name)
                #expect(key != nil, "\(schema.name) does not find \(name)")
                if let key { slots.insert(key.slot) }
                #expect(schema.key(for: name + "x") == nil)
            }
            #expect(slots.count == names.count, "\(schema.name) gives two names one slot")
        }
    }

    @Test func aKeyWrittenTwiceInABlockIsAnErrorAtTheSecond() throws {
        let outcome = minimalJob(task: {
            attr("user", "first")
            attr("user", "second")
        }).decoded()
        let error = try #require(outcome.error(containing: "user is set twice in task"))
        #expect(error.start.line == 6)
        #expect(error.hint == "the first is at line 5")
    }
}
