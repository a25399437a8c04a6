/// Hands out the same `String` for the same short byte sequence. Job files repeat a small
/// vocabulary (`count`, `driver`, `"http"`, `"10s"`) thousands of times; hashing a few bytes
/// and comparing them is much cheaper than validating and building a new String each time,
/// and strings longer than the inline size are then allocated once instead of per use.
///
/// Direct-mapped: a collision simply replaces the older entry.
struct ParserStringTable {
    private struct Entry {
        var hash: UInt64 = 0
        var start = 0
        var length = -1
        var string = ""
    }

    /// Longer sequences are rarely repeated and are not worth hashing.
    static let maximumLength = 40

    private let bytes: UnsafeBufferPointer<UInt8>
    private var entries: [Entry]
    private let mask: Int

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        // Small files (and fuzz inputs) need few slots; large ones at most a thousand.
        var capacity = 64
        while capacity < 1024, capacity * 32 < bytes.count { capacity *= 2 }
        self.entries = [Entry](repeating: Entry(), count: capacity)
        self.mask = capacity - 1
    }

    /// The text of `start..<end` (valid UTF-8 or repaired) and a hash of its bytes.
    @inline(__always)
    mutating func string(from start: Int, to end: Int) -> (String, UInt64) {
        let length = end - start
        guard length > 0, let base = bytes.baseAddress else { return ("", 0) }
        let raw = UnsafeRawPointer(base)
        let hash = Self.hash(raw, start, length)
        guard length <= Self.maximumLength else {
            return (String(decoding: UnsafeBufferPointer(start: base + start, count: length), as: UTF8.self), hash)
        }
        let slot = Int(truncatingIfNeeded: hash) & mask
        if entries[slot].hash == hash, entries[slot].length == length, Self.equal(raw, start, entries[slot].start, length) {
            return (entries[slot].string, hash)
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: length), as: UTF8.self)
        entries[slot] = Entry(hash: hash, start: start, length: length, string: text)
        return (text, hash)
    }

    /// Eight bytes at a time, folded with a multiply-xorshift mix. The last partial word is
    /// read as the eight bytes ending at the end of the text (shifted), when the buffer has
    /// that many bytes before it, so short names cost one load instead of a byte loop.
    @inline(__always)
    private static func hash(_ base: UnsafeRawPointer, _ start: Int, _ length: Int) -> UInt64 {
        let pointer = base + start
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: length)
        var offset = 0
        while offset + 8 <= length {
            let word = pointer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
            offset += 8
        }
        if offset < length {
            hash = (hash ^ tail(base, start, offset, length)) &* 0x94D0_49BB_1331_11EB
            hash ^= hash >> 29
        }
        return hash
    }

    /// Bytes `offset..<length` of the text at `start`, little-endian in the low bits.
    @inline(__always)
    private static func tail(_ base: UnsafeRawPointer, _ start: Int, _ offset: Int, _ length: Int) -> UInt64 {
        let remaining = length - offset
        let end = start + length
        if end >= 8 {
            let word = base.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self)
            return word &>> UInt64(truncatingIfNeeded: (8 &- remaining) &* 8)
        }
        var word: UInt64 = 0
        var index = remaining - 1
        while index >= 0 {
            word = word << 8 | UInt64(base.load(fromByteOffset: start + offset + index, as: UInt8.self))
            index -= 1
        }
        return word
    }

    @inline(__always)
    private static func equal(_ base: UnsafeRawPointer, _ left: Int, _ right: Int, _ length: Int) -> Bool {
        var offset = 0
        while offset + 8 <= length {
            if base.loadUnaligned(fromByteOffset: left + offset, as: UInt64.self)
                != base.loadUnaligned(fromByteOffset: right + offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        return offset == length || tail(base, left, offset, length) == tail(base, right, offset, length)
    }
}
