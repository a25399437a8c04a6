import Glibc
import Raft

/// One snapshot being written: pieces are appended to a `.tmp` file, and `commit()` makes it
/// durable and visible atomically (sync, rename, directory sync). A writer abandoned without
/// `commit()` (or after `abort()`) leaves nothing behind. With a data key the bytes are
/// sealed a chunk at a time (`AtRestSnapshotSealing`) before they reach the file.
///
/// One owner at a time (not Sendable).
public final class SnapshotWriter {
    public let metadata: SnapshotMetadata
    private let store: SnapshotStore
    private let path: String
    private let temporary: String
    private let fileSync: @Sendable (Int32) -> Int32
    private var descriptor: Int32
    private var offset = 0
    private var checksum: UInt32 = 0
    private var dataCount: UInt64 = 0
    private var finished = false
    /// Plaintext not yet sealed into a chunk (encryption at rest only).
    private var pending: [UInt8] = []
    private var chunksWritten: UInt64 = 0

    /// Bytes of data appended so far.
    public var count: UInt64 { dataCount }

    init(store: SnapshotStore, metadata: SnapshotMetadata, fileSync: @escaping @Sendable (Int32) -> Int32) throws(RaftStorageError) {
        self.metadata = metadata
        self.store = store
        self.fileSync = fileSync
        path = store.directory + "/" + SnapshotStore.fileName(metadata)
        temporary = path + ".tmp"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("create", temporary) }
        if store.atRestKey != nil { try writeToFile(AtRestSnapshotSealing.prefix) }
        try write(SnapshotStore.header(metadata))
    }

    deinit {
        if !finished { abort() }
    }

    /// Appends the next piece of the snapshot's data.
    public func append(_ chunk: [UInt8]) throws(RaftStorageError) {
        guard !finished else { throw RaftStorageError(.misuse, "snapshot \(metadata.index) is already committed or aborted") }
        guard dataCount + UInt64(chunk.count) <= UInt64(store.maxSize) else {
            abort()
            throw RaftStorageError(.misuse, "snapshot \(metadata.index) is over the limit of \(store.maxSize) bytes")
        }
        try write(chunk)
        dataCount += UInt64(chunk.count)
    }

    /// Seals the file (length, checksum), syncs it, renames it into place, syncs the directory
    /// and prunes old snapshots. On failure nothing is left under the real name.
    public func commit() throws(RaftStorageError) {
        guard !finished else { throw RaftStorageError(.misuse, "snapshot \(metadata.index) is already committed or aborted") }
        var trailer: [UInt8] = []
        trailer.appendLittleEndian(dataCount)
        try write(trailer)
        var sealed: [UInt8] = []
        sealed.appendLittleEndian(checksum)
        try write(sealed)
        if store.atRestKey != nil { try sealChunk(pending, isLast: true) }
        guard fileSync(descriptor) == 0 else {
            let error = RaftStorageError.io("fsync", temporary)
            abort()
            throw error
        }
        close(descriptor)
        finished = true
        guard rename(temporary, path) == 0 else {
            let error = RaftStorageError.io("rename", temporary)
            unlink(temporary)
            throw error
        }
        try DurableFile.syncDirectory(store.directory, using: fileSync)
        try store.prune()
    }

    /// Drops the partial snapshot.
    public func abort() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        unlink(temporary)
    }

    /// Adds `bytes` to the plain snapshot: to the file, or to the chunk being gathered.
    private func write(_ bytes: [UInt8]) throws(RaftStorageError) {
        checksum = CRC32C.checksum(bytes, continuing: checksum)
        guard store.atRestKey != nil else {
            try writeToFile(bytes)
            return
        }
        pending.append(contentsOf: bytes)
        // Strictly more than a chunk: whatever `commit()` adds, the last chunk is never empty
        // of the trailer, so "last" always marks the chunk that holds the checksum.
        var consumed = 0
        while pending.count - consumed > AtRestSnapshotSealing.chunkSize {
            try sealChunk(Array(pending[consumed..<(consumed + AtRestSnapshotSealing.chunkSize)]), isLast: false)
            consumed += AtRestSnapshotSealing.chunkSize
        }
        if consumed > 0 { pending.removeFirst(consumed) }
    }

    private func sealChunk(_ plaintext: [UInt8], isLast: Bool) throws(RaftStorageError) {
        guard let key = store.atRestKey else { return }
        try writeToFile(
            AtRestSnapshotSealing.sealChunk(
                plaintext, key: key, index: metadata.index, term: metadata.term, chunk: chunksWritten, isLast: isLast))
        chunksWritten += 1
    }

    private func writeToFile(_ bytes: [UInt8]) throws(RaftStorageError) {
        do {
            try DurableFile.write(descriptor, bytes, at: offset, path: temporary)
        } catch {
            abort()
            throw error
        }
        offset += bytes.count
    }
}
