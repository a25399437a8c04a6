import ClusterModel
import Foundation
import StateStore
import Wire

/// The Raft log's form of a plan command (`submitPlan` / `applyPlan`): binary, because a plan
/// is most of what the managers replicate (a million placements in the scheduler benchmark)
/// and its JSON, about 0.75 KB per allocation, was most of the time every manager spent on a
/// plan (encoded once by the leader, decoded by all three).
///
/// The allocations of one plan share nearly everything: job, version, group, evaluation,
/// resources, statuses, instants. Each distinct remainder (an allocation with its per-slot
/// fields blanked, a "template") is written once as JSON, so a field added to `Allocation`
/// later travels without touching this file; each allocation then costs only its template's
/// number and what differs per slot: ID, node, node name, name, index, ports and the
/// scheduler's metrics, in binary, with repeated strings written once per entry.
///
/// An entry starts with `tag`, a byte no JSON text starts with, so a log or snapshot written
/// before this codec (JSON commands) still reads: `ManagerStateMachine` looks at the first byte.
enum PlanEntryCodec {
    /// First byte of a binary plan entry; JSON starts with `{` or whitespace.
    static let tag: UInt8 = 0xB7
    /// The layout below; a newer layout gets a new number, and this build refuses it by name.
    static let version: UInt8 = 1

    /// Longest string or JSON template accepted when reading (a template is a stubbed
    /// allocation, well under a kilobyte in practice).
    static let maximumStringBytes = 1 << 20
    static let maximumTemplateBytes = 16 << 20

    private enum Kind: UInt8 {
        case submitPlan = 0
        case applyPlan = 1
    }

    /// The binary entry for a plan command, or nil for every other command (those stay JSON).
    static func encode(_ command: ReplicatedCommand) throws -> [UInt8]? {
        guard case .state(let stateCommand) = command else { return nil }
        let kind: Kind
        let plan: Plan
        let time: Timestamp
        switch stateCommand {
        case .submitPlan(let p, let t): (kind, plan, time) = (.submitPlan, p, t)
        case .applyPlan(let p, let t): (kind, plan, time) = (.applyPlan, p, t)
        default: return nil
        }
        var encoder = EntryWriter()
        encoder.writer.writeByte(tag)
        encoder.writer.writeByte(version)
        encoder.writer.writeByte(kind.rawValue)
        encoder.writer.writeSigned(time.nanosecondsSinceEpoch)
        var shell = plan
        shell.placements = [:]
        shell.stops = [:]
        encoder.writer.writeBytes(try JSONEncoder().encode(shell))
        try encoder.writeAllocations(plan.placements)
        try encoder.writeAllocations(plan.stops)
        return encoder.writer.bytes
    }

    /// Whether `bytes` is a binary plan entry rather than a JSON command.
    static func isBinaryPlan(_ bytes: [UInt8]) -> Bool { bytes.first == tag }

    /// The command a binary plan entry carries.
    static func decode(_ bytes: [UInt8]) throws -> ReplicatedCommand {
        var decoder = EntryReader(reader: WireReader(bytes))
        guard try decoder.reader.readByte("plan entry tag") == tag else {
            throw WireError.unknownTag(field: "plan entry tag", tag: UInt64(bytes.first ?? 0))
        }
        let entryVersion = try decoder.reader.readByte("plan entry version")
        guard entryVersion == version else {
            throw PlanEntryError("a plan entry of layout \(entryVersion) (this manager reads layout \(version)); upgrade this manager to the version of the others")
        }
        let rawKind = try decoder.reader.readByte("plan entry kind")
        guard let kind = Kind(rawValue: rawKind) else { throw WireError.unknownTag(field: "plan entry kind", tag: UInt64(rawKind)) }
        let time = Timestamp(nanosecondsSinceEpoch: try decoder.reader.readSigned("plan time"))
        var plan = try JSONDecoder().decode(Plan.self, from: Data(try decoder.reader.readBytes("plan", limit: maximumTemplateBytes)))
        plan.placements = try decoder.readAllocations("placements")
        plan.stops = try decoder.readAllocations("stops")
        try decoder.reader.expectEnd()
        switch kind {
        case .submitPlan: return .state(.submitPlan(plan, time: time))
        case .applyPlan: return .state(.applyPlan(plan, time: time))
        }
    }

    /// An allocation with its per-slot fields blanked: what allocations of one group share.
    static func template(of allocation: Allocation) -> Allocation {
        var shared = allocation
        shared.id = AllocationID(uuid: "")
        shared.nodeID = NodeID(uuid: "")
        shared.nodeName = ""
        shared.name = ""
        shared.index = 0
        shared.ports = []
        shared.metrics = AllocationMetrics()
        return shared
    }

    // MARK: Writing

    private struct EntryWriter {
        var writer = WireWriter(capacity: 1 << 16)
        var strings: [String: Int] = [:]
        var templates: [Allocation: Int] = [:]
        let json = JSONEncoder()

        /// A string seen before in this entry is its number + 1; a new one is 0 and its text.
        mutating func writeString(_ value: String) {
            if let known = strings[value] {
                writer.writeVarint(UInt64(known) + 1)
            } else {
                strings[value] = strings.count
                writer.writeVarint(0)
                writer.writeString(value)
            }
        }

        mutating func writeAllocations(_ byNode: [NodeID: [Allocation]]) throws {
            writer.writeVarint(UInt64(byNode.count))
            for (nodeID, allocations) in byNode {
                writeString(nodeID.uuid)
                writer.writeVarint(UInt64(allocations.count))
                for allocation in allocations { try write(allocation, on: nodeID) }
            }
        }

        mutating func write(_ allocation: Allocation, on nodeID: NodeID) throws {
            let shared = PlanEntryCodec.template(of: allocation)
            if let known = templates[shared] {
                writer.writeVarint(UInt64(known) + 1)
            } else {
                templates[shared] = templates.count
                writer.writeVarint(0)
                writer.writeBytes(try json.encode(shared))
            }
            writer.writeString(allocation.id.uuid)
            if allocation.nodeID == nodeID {
                writer.writeBool(true)
            } else {
                writer.writeBool(false)
                writeString(allocation.nodeID.uuid)
            }
            writeString(allocation.nodeName)
            writer.writeSigned(Int64(allocation.index))
            // The name is almost always `<job>.<group>[<index>]`; only a different one is written.
            if allocation.name == "\(allocation.jobID).\(allocation.groupName)[\(allocation.index)]" {
                writer.writeBool(true)
            } else {
                writer.writeBool(false)
                writer.writeString(allocation.name)
            }
            writer.writeVarint(UInt64(allocation.ports.count))
            for port in allocation.ports {
                writeString(port.label)
                writer.writeSigned(Int64(port.value))
                writer.writeSigned(Int64(port.to))
                writeString(port.hostIP)
            }
            write(allocation.metrics)
        }

        mutating func write(_ metrics: AllocationMetrics) {
            writer.writeSigned(Int64(metrics.nodesEvaluated))
            writer.writeSigned(Int64(metrics.nodesFiltered))
            write(metrics.nodesAvailable)
            write(metrics.constraintFiltered)
            writer.writeSigned(Int64(metrics.nodesExhausted))
            write(metrics.dimensionExhausted)
            if let score = metrics.chosenScore {
                writer.writeBool(true)
                writer.writeVarint(score.bitPattern)
            } else {
                writer.writeBool(false)
            }
            writer.writeSigned(Int64(metrics.coalescedFailures))
        }

        mutating func write(_ counts: [String: Int]) {
            writer.writeVarint(UInt64(counts.count))
            for (key, count) in counts {
                writeString(key)
                writer.writeSigned(Int64(count))
            }
        }
    }

    // MARK: Reading

    private struct EntryReader {
        var reader: WireReader
        var strings: [String] = []
        var templates: [Allocation] = []
        let json = JSONDecoder()

        mutating func readString(_ field: String) throws -> String {
            let reference = try reader.readVarint(field)
            if reference == 0 {
                let value = try reader.readString(field, limit: PlanEntryCodec.maximumStringBytes)
                strings.append(value)
                return value
            }
            guard reference <= UInt64(strings.count) else {
                throw PlanEntryError("\(field) refers to string \(reference) of \(strings.count) in the plan entry (the entry is damaged)")
            }
            return strings[Int(reference - 1)]
        }

        mutating func readInt(_ field: String) throws -> Int {
            let raw = try reader.readSigned(field)
            guard let value = Int(exactly: raw) else { throw PlanEntryError("\(field) \(raw) does not fit this platform's integers") }
            return value
        }

        mutating func readAllocations(_ field: String) throws -> [NodeID: [Allocation]] {
            // Every node costs at least two bytes (its string reference and its count).
            let nodeCount = try reader.readCount("\(field) node count", limit: .max, minimumItemBytes: 2)
            var byNode: [NodeID: [Allocation]] = [:]
            byNode.reserveCapacity(nodeCount)
            for _ in 0..<nodeCount {
                let nodeID = NodeID(uuid: try readString("\(field) node"))
                // An allocation costs well over eight bytes: template, ID, flags, metrics.
                let count = try reader.readCount("\(field) allocation count", limit: .max, minimumItemBytes: 8)
                var allocations: [Allocation] = []
                allocations.reserveCapacity(count)
                for _ in 0..<count { allocations.append(try readAllocation(on: nodeID)) }
                byNode[nodeID] = allocations
            }
            return byNode
        }

        mutating func readAllocation(on nodeID: NodeID) throws -> Allocation {
            let reference = try reader.readVarint("allocation template")
            var allocation: Allocation
            if reference == 0 {
                let bytes = try reader.readBytes("allocation template", limit: PlanEntryCodec.maximumTemplateBytes)
                allocation = try json.decode(Allocation.self, from: Data(bytes))
                templates.append(allocation)
            } else {
                guard reference <= UInt64(templates.count) else {
                    throw PlanEntryError("an allocation refers to template \(reference) of \(templates.count) in the plan entry (the entry is damaged)")
                }
                allocation = templates[Int(reference - 1)]
            }
            allocation.id = AllocationID(uuid: try reader.readString("allocation ID", limit: PlanEntryCodec.maximumStringBytes))
            allocation.nodeID = try reader.readBool("allocation node flag") ? nodeID : NodeID(uuid: try readString("allocation node"))
            allocation.nodeName = try readString("allocation node name")
            allocation.index = try readInt("allocation index")
            if try reader.readBool("allocation name flag") {
                allocation.name = "\(allocation.jobID).\(allocation.groupName)[\(allocation.index)]"
            } else {
                allocation.name = try reader.readString("allocation name", limit: PlanEntryCodec.maximumStringBytes)
            }
            let portCount = try reader.readCount("port count", limit: .max, minimumItemBytes: 4)
            allocation.ports.reserveCapacity(portCount)
            for _ in 0..<portCount {
                let label = try readString("port label")
                let value = try readInt("port value")
                let to = try readInt("port to")
                let hostIP = try readString("port host IP")
                allocation.ports.append(AllocatedPort(label: label, value: value, to: to, hostIP: hostIP))
            }
            allocation.metrics = try readMetrics()
            return allocation
        }

        mutating func readMetrics() throws -> AllocationMetrics {
            var metrics = AllocationMetrics()
            metrics.nodesEvaluated = try readInt("nodes evaluated")
            metrics.nodesFiltered = try readInt("nodes filtered")
            metrics.nodesAvailable = try readCounts("nodes available")
            metrics.constraintFiltered = try readCounts("constraint filtered")
            metrics.nodesExhausted = try readInt("nodes exhausted")
            metrics.dimensionExhausted = try readCounts("dimension exhausted")
            if try reader.readBool("chosen score flag") {
                metrics.chosenScore = Double(bitPattern: try reader.readVarint("chosen score"))
            }
            metrics.coalescedFailures = try readInt("coalesced failures")
            return metrics
        }

        mutating func readCounts(_ field: String) throws -> [String: Int] {
            let count = try reader.readCount("\(field) count", limit: .max, minimumItemBytes: 2)
            var counts: [String: Int] = [:]
            counts.reserveCapacity(count)
            for _ in 0..<count {
                let key = try readString(field)
                counts[key] = try readInt(field)
            }
            return counts
        }
    }
}

/// A binary plan entry this manager cannot read: what is wrong with it.
struct PlanEntryError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
