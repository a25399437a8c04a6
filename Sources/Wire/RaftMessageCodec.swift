import Raft

/// The binary form of `RaftMessage` between managers: a version byte, the kind, then every
/// field in a fixed order (varints for numbers, length-prefixed bytes). A decoder refuses
/// unknown versions and kinds, and bounds every count and length by `RaftWireLimits` before
/// allocating, so a corrupt or hostile frame is an error, never a crash or a huge allocation.
///
/// Tags are append-only: a new field goes at the end under a new version, and old versions
/// stay decodable, so managers of adjacent releases can talk during an upgrade.
public enum RaftMessageCodec {
    public static let version: UInt8 = 1

    public static func encode(_ message: RaftMessage) -> [UInt8] {
        var writer = WireWriter(capacity: message.sizeEstimate + 16)
        writer.writeByte(version)
        writer.writeByte(message.kind.rawValue)
        writer.writeVarint(message.from.rawValue)
        writer.writeVarint(message.to.rawValue)
        writer.writeVarint(message.term)
        writer.writeVarint(message.index)
        writer.writeVarint(message.logTerm)
        writer.writeVarint(message.commit)
        writer.writeVarint(UInt64(message.entries.count))
        for entry in message.entries {
            writer.writeVarint(entry.term)
            writer.writeVarint(entry.index)
            writer.writeByte(entry.kind.rawValue)
            writer.writeBytes(entry.data)
        }
        var flags: UInt8 = 0
        if message.reject { flags |= 1 }
        if message.isLeadershipTransfer { flags |= 2 }
        if message.snapshotDone { flags |= 4 }
        if message.snapshot != nil { flags |= 8 }
        writer.writeByte(flags)
        writer.writeVarint(message.hintIndex)
        writer.writeVarint(message.hintTerm)
        writer.writeBytes(message.context)
        if let snapshot = message.snapshot {
            writer.writeVarint(snapshot.index)
            writer.writeVarint(snapshot.term)
            writeMembers(snapshot.configuration.voters, to: &writer)
            writeMembers(snapshot.configuration.learners, to: &writer)
        }
        writer.writeVarint(message.snapshotOffset)
        writer.writeVarint(message.snapshotTotalBytes)
        writer.writeBytes(message.snapshotData)
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8], limits: RaftWireLimits = RaftWireLimits()) throws(WireError) -> RaftMessage {
        var reader = WireReader(bytes)
        let version = try reader.readByte("version")
        guard version == Self.version else { throw .unknownTag(field: "version", tag: UInt64(version)) }
        let kindByte = try reader.readByte("kind")
        guard let kind = RaftMessage.Kind(rawValue: kindByte) else { throw .unknownTag(field: "kind", tag: UInt64(kindByte)) }
        var message = RaftMessage(
            kind: kind, from: RaftNodeID(try reader.readVarint("from")), to: RaftNodeID(try reader.readVarint("to")),
            term: try reader.readVarint("term"))
        message.index = try reader.readVarint("index")
        message.logTerm = try reader.readVarint("logTerm")
        message.commit = try reader.readVarint("commit")
        // Each entry takes at least 4 bytes (term, index, kind, length), which bounds the count
        // by the frame's size before the array is reserved.
        let count = try reader.readCount("entries", limit: limits.maximumEntries, minimumItemBytes: 4)
        var entries: [LogEntry] = []
        entries.reserveCapacity(count)
        var totalBytes = 0
        for _ in 0..<count {
            let term = try reader.readVarint("entry term")
            let index = try reader.readVarint("entry index")
            let kindByte = try reader.readByte("entry kind")
            guard let entryKind = LogEntry.Kind(rawValue: kindByte) else {
                throw .unknownTag(field: "entry kind", tag: UInt64(kindByte))
            }
            let data = try reader.readBytes("entry data", limit: limits.maximumEntryBytes)
            totalBytes += data.count
            guard totalBytes <= limits.maximumMessageBytes else {
                throw .tooLarge(field: "entries", length: UInt64(totalBytes), limit: limits.maximumMessageBytes)
            }
            entries.append(LogEntry(term: term, index: index, kind: entryKind, data: data))
        }
        message.entries = entries
        let flags = try reader.readByte("flags")
        guard flags & ~0x0F == 0 else { throw .unknownTag(field: "flags", tag: UInt64(flags)) }
        message.reject = flags & 1 != 0
        message.isLeadershipTransfer = flags & 2 != 0
        message.snapshotDone = flags & 4 != 0
        message.hintIndex = try reader.readVarint("hintIndex")
        message.hintTerm = try reader.readVarint("hintTerm")
        message.context = try reader.readBytes("context", limit: limits.maximumContextBytes)
        if flags & 8 != 0 {
            let index = try reader.readVarint("snapshot index")
            let term = try reader.readVarint("snapshot term")
            let voters = try readMembers("snapshot voters", from: &reader, limit: limits.maximumMembers)
            let learners = try readMembers("snapshot learners", from: &reader, limit: limits.maximumMembers)
            message.snapshot = SnapshotMetadata(
                index: index, term: term, configuration: RaftConfiguration(voters: voters, learners: learners))
        }
        message.snapshotOffset = try reader.readVarint("snapshotOffset")
        message.snapshotTotalBytes = try reader.readVarint("snapshotTotalBytes")
        message.snapshotData = try reader.readBytes("snapshotData", limit: limits.maximumSnapshotChunkBytes)
        try reader.expectEnd()
        return message
    }

    private static func writeMembers(_ members: Set<RaftNodeID>, to writer: inout WireWriter) {
        writer.writeVarint(UInt64(members.count))
        // Sorted, so equal messages encode to equal bytes.
        for member in members.sorted() { writer.writeVarint(member.rawValue) }
    }

    private static func readMembers(_ field: String, from reader: inout WireReader, limit: Int) throws(WireError) -> Set<RaftNodeID> {
        let count = try reader.readCount(field, limit: limit)
        var members = Set<RaftNodeID>(minimumCapacity: count)
        for _ in 0..<count { members.insert(RaftNodeID(try reader.readVarint(field))) }
        return members
    }
}

/// Bounds on what one Raft frame may carry, checked while decoding.
public struct RaftWireLimits: Sendable, Hashable {
    public var maximumEntries: Int
    public var maximumEntryBytes: Int
    /// All entries of one message together.
    public var maximumMessageBytes: Int
    public var maximumContextBytes: Int
    public var maximumSnapshotChunkBytes: Int
    public var maximumMembers: Int

    public init(
        maximumEntries: Int = 100_000, maximumEntryBytes: Int = 16 << 20, maximumMessageBytes: Int = 64 << 20,
        maximumContextBytes: Int = 4096, maximumSnapshotChunkBytes: Int = 16 << 20, maximumMembers: Int = 1024
    ) {
        self.maximumEntries = maximumEntries
        self.maximumEntryBytes = maximumEntryBytes
        self.maximumMessageBytes = maximumMessageBytes
        self.maximumContextBytes = maximumContextBytes
        self.maximumSnapshotChunkBytes = maximumSnapshotChunkBytes
        self.maximumMembers = maximumMembers
    }
}
