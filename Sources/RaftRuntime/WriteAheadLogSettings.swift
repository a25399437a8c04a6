import Glibc

/// How a `WriteAheadLog` lays out and checks its files, with documented defaults.
public struct WriteAheadLogSettings: Sendable {
    /// A segment is closed and a new one started once it reaches this size (64 MiB). Whole
    /// segments are the unit of compaction, so smaller segments free disk sooner after a
    /// snapshot; larger ones mean fewer files and directory syncs.
    public var segmentSize: Int = 64 << 20
    /// The largest entry payload accepted (64 MiB); a record claiming more is treated as
    /// corrupt at recovery, so a damaged length field cannot make recovery allocate gigabytes.
    public var maxEntrySize: Int = 64 << 20
    /// How many of the most recent entries stay in memory to serve reads without touching
    /// the disk (followers that are only slightly behind read from here).
    public var cachedEntries: Int = 1024
    /// ... and at most this many bytes of entry data (16 MiB), whichever limit comes first.
    public var cachedBytes: Int = 16 << 20
    /// Encoded records are written to the file once this many bytes are buffered, even
    /// before `sync()`, to bound the buffer.
    public var writeBufferLimit: Int = 1 << 20
    /// Receives operator-facing lines (recovery truncations, skipped files).
    public var logger: @Sendable (String) -> Void = { _ in }
    /// Makes a file or directory descriptor durable; `fdatasync` by default (appends change the
    /// size, which fdatasync does flush). Injected so tests can count or fail syncs.
    public var fileSync: @Sendable (Int32) -> Int32 = { fdatasync($0) }
    /// Encryption at rest: when set, every record is sealed with this key (and bound to its
    /// segment and offset), and recovery refuses records that are not, or that do not open.
    /// nil (the default for the library; servers turn it on) writes and expects plain records.
    public var atRestKey: AtRestKey?

    public init() {}
}
