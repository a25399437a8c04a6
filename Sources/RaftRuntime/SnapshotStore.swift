import Glibc
import Raft

/// Snapshot files in a directory: `<index>-<term>.snap` (16 hex digits each), the newest few
/// kept.
///
/// A file is `"RSNP"`, a version byte, the metadata (index, term, voters, learners), the data,
/// the data's length and a CRC32C of everything before it (length and checksum at the end,
/// so a snapshot can be written as a stream). Writing goes to a `.tmp` file that
/// is synced, renamed into place and made durable by syncing the directory, so a crash leaves
/// either the old set of snapshots or the new one, never a half-written snapshot under a real
/// name. A leftover `.tmp` is deleted at start; a snapshot that fails its checksum is skipped
/// (with a log line) in favour of the previous one, which is why more than one is kept.
///
/// With encryption at rest (`atRestKey`), the file is `"RSNP"`, version 2, then the bytes of
/// the version 1 file above cut into chunks, each sealed with the data key
/// (`AtRestSnapshotSealing`); the chunks are bound to the snapshot's index and term (its file
/// name), to their order, and the last to being last, so a snapshot cannot be renamed,
/// reordered or shortened unnoticed. A snapshot that does not authenticate is skipped like
/// a damaged one, with a log line that says so.
public final class SnapshotStore: Sendable {
    public let directory: String
    /// How many snapshots are kept (2: the newest, and one to fall back on if it is damaged).
    public let retained: Int
    private let logger: @Sendable (String) -> Void
    private let fileSync: @Sendable (Int32) -> Int32
    /// Largest snapshot accepted when loading, so a damaged length cannot allocate the machine.
    public let maxSize: Int
    /// The data key snapshots are sealed with; nil writes and reads plain (version 1) files.
    public let atRestKey: AtRestKey?

    static let magic: [UInt8] = Array("RSNP".utf8)
    static let version: UInt8 = 1
    /// Members per role accepted when decoding (a damaged count must not allocate much).
    static let maxMembers = 1 << 16

    public init(
        directory: String, retained: Int = 2, maxSize: Int = 4 << 30,
        logger: @escaping @Sendable (String) -> Void = { _ in },
        fileSync: @escaping @Sendable (Int32) -> Int32 = { fsync($0) }, atRestKey: AtRestKey? = nil
    ) throws(RaftStorageError) {
        precondition(retained >= 1, "a snapshot store keeps at least one snapshot")
        self.directory = directory
        self.retained = retained
        self.maxSize = maxSize
        self.logger = logger
        self.fileSync = fileSync
        self.atRestKey = atRestKey
        try DurableFile.makeDirectory(directory)
        for name in DurableFile.entries(of: directory) where name.hasSuffix(".tmp") {
            unlink(directory + "/" + name)
            logger("snapshot store: removed \(name), left over from an interrupted write")
        }
    }

    /// Writes a snapshot durably (temp file, sync, rename, directory sync), then deletes all
    /// but the newest `retained`.
    public func save(_ metadata: SnapshotMetadata, data: [UInt8]) throws(RaftStorageError) {
        let writer = try beginWrite(metadata)
        try writer.append(data)
        try writer.commit()
    }

    /// Starts writing a snapshot in pieces (InstallSnapshot chunks as they arrive, or the
    /// state machine's encoding as it is produced); nothing is visible until `commit()`.
    public func beginWrite(_ metadata: SnapshotMetadata) throws(RaftStorageError) -> SnapshotWriter {
        try SnapshotWriter(store: self, metadata: metadata, fileSync: fileSync)
    }

    /// The newest snapshot that reads back intact, or nil when there is none. Damaged ones are
    /// skipped with a log line.
    public func loadNewest() throws(RaftStorageError) -> (metadata: SnapshotMetadata, data: [UInt8])? {
        for name in snapshotNames().reversed() {
            let path = directory + "/" + name
            let bytes: [UInt8]
            do {
                bytes = try DurableFile.readAll(path)
            } catch {
                logger("snapshot store: skipped \(name): \(error)")
                continue
            }
            let parsed = SnapshotStore.parseFileName(name)
            let plain: Result<[UInt8], DecodingFailure>
            switch (atRestKey, bytes.count > 4 ? bytes[4] : 0) {
            case (let key?, AtRestSnapshotSealing.version):
                plain = AtRestSnapshotSealing.open(bytes, key: key, index: parsed?.index ?? 0, term: parsed?.term ?? 0, maxSize: maxSize)
            case (nil, AtRestSnapshotSealing.version):
                plain = .failure(.init(description: "it is encrypted at rest and no data key was given"))
            case (_?, _):
                plain = .failure(.init(description: "it is not encrypted, but this store requires encryption at rest"))
            case (nil, _):
                plain = .success(bytes)
            }
            switch plain.flatMap({ SnapshotStore.decode($0, maxSize: maxSize) }) {
            case .success(let snapshot):
                return snapshot
            case .failure(let reason):
                logger("snapshot store: skipped \(name): \(reason)")
            }
        }
        return nil
    }

    /// The snapshot files present, oldest first (by index, then term).
    public func snapshotNames() -> [String] {
        DurableFile.entries(of: directory)
            .compactMap { name in SnapshotStore.parseFileName(name).map { (name, $0) } }
            .sorted { ($0.1.index, $0.1.term) < ($1.1.index, $1.1.term) }
            .map(\.0)
    }

    /// Deletes all but the newest `retained` snapshots.
    func prune() throws(RaftStorageError) {
        let names = snapshotNames()
        guard names.count > retained else { return }
        for name in names.dropLast(retained) {
            guard unlink(directory + "/" + name) == 0 || errno == ENOENT else { throw .io("unlink", directory + "/" + name) }
        }
        try DurableFile.syncDirectory(directory, using: fileSync)
    }

    // MARK: Encoding

    static func fileName(_ metadata: SnapshotMetadata) -> String {
        hex16(metadata.index) + "-" + hex16(metadata.term) + ".snap"
    }

    static func parseFileName(_ name: String) -> (index: UInt64, term: UInt64)? {
        guard name.hasSuffix(".snap") else { return nil }
        let parts = name.dropLast(5).split(separator: "-")
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 16,
            let index = UInt64(parts[0], radix: 16), let term = UInt64(parts[1], radix: 16)
        else { return nil }
        return (index, term)
    }

    static func header(_ metadata: SnapshotMetadata) -> [UInt8] {
        var bytes = magic
        bytes.append(version)
        bytes.appendLittleEndian(metadata.index)
        bytes.appendLittleEndian(metadata.term)
        for members in [metadata.configuration.voters, metadata.configuration.learners] {
            bytes.appendLittleEndian(UInt32(members.count))
            for member in members.sorted() { bytes.appendLittleEndian(member.rawValue) }
        }
        return bytes
    }

    static func encode(_ metadata: SnapshotMetadata, data: [UInt8]) -> [UInt8] {
        var bytes = header(metadata)
        bytes.append(contentsOf: data)
        bytes.appendLittleEndian(UInt64(data.count))
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    struct DecodingFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Decodes a snapshot file; never traps on any input.
    static func decode(_ bytes: [UInt8], maxSize: Int) -> Result<(metadata: SnapshotMetadata, data: [UInt8]), DecodingFailure> {
        guard bytes.count >= magic.count + 1 + 16 + 4 + 4 + 8 + 4 else { return .failure(.init(description: "too short")) }
        guard Array(bytes[0..<4]) == magic else { return .failure(.init(description: "not a snapshot file")) }
        guard bytes[4] == version else { return .failure(.init(description: "unsupported version \(bytes[4])")) }
        let checked = bytes.count - 4
        let trailer = checked - 8
        let stored = bytes.withUnsafeBytes { $0.loadLittleEndianUInt32(at: checked) }
        guard CRC32C.checksum(bytes[0..<checked]) == stored else { return .failure(.init(description: "checksum mismatch")) }
        return bytes.withUnsafeBytes { raw in
            var offset = 5
            let index = raw.loadLittleEndianUInt64(at: offset)
            let term = raw.loadLittleEndianUInt64(at: offset + 8)
            offset += 16
            var roles: [Set<RaftNodeID>] = []
            for _ in 0..<2 {
                guard offset + 4 <= trailer else { return .failure(.init(description: "truncated membership")) }
                let count = Int(raw.loadLittleEndianUInt32(at: offset))
                offset += 4
                guard count <= maxMembers, offset + count * 8 <= trailer else {
                    return .failure(.init(description: "membership of \(count) does not fit"))
                }
                var members = Set<RaftNodeID>()
                for position in 0..<count { members.insert(RaftNodeID(raw.loadLittleEndianUInt64(at: offset + position * 8))) }
                offset += count * 8
                roles.append(members)
            }
            let length = raw.loadLittleEndianUInt64(at: trailer)
            guard length <= UInt64(maxSize), length == UInt64(trailer - offset) else {
                return .failure(.init(description: "data length \(length) does not match the file"))
            }
            let metadata = SnapshotMetadata(
                index: index, term: term, configuration: RaftConfiguration(voters: roles[0], learners: roles[1]))
            return .success((metadata, Array(raw[offset..<trailer])))
        }
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}
