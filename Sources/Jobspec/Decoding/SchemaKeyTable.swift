/// The names of one schema in an open-addressing table of names packed into two machine
/// words: every key of every block goes through it, and hashing and comparing two words
/// costs a fraction of `Dictionary`'s SipHash over a `String`. Names longer than 16 bytes
/// (a handful) are kept aside and compared as strings.
struct SchemaKeyTable: Sendable {
    /// Up to 16 UTF-8 bytes, zero-padded, and their count: equal names pack equally.
    struct PackedName: Equatable, Sendable {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var count = 0

        init?(_ name: String) {
            let packed = name.utf8.withContiguousStorageIfAvailable { bytes -> PackedName? in
                guard bytes.count <= 16 else { return nil }
                return Self.pack(UnsafeRawBufferPointer(bytes))
            }
            guard let packed = packed ?? Self(slowly: name) else { return nil }
            self = packed
        }

        /// Packs 0...16 bytes with a few overlapping loads instead of a copy loop; every load
        /// stays inside the buffer, and overlapping bytes land on the same bits.
        private static func pack(_ bytes: UnsafeRawBufferPointer) -> PackedName {
            let count = bytes.count
            func word(at offset: Int) -> UInt64 {
                UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            }
            func halfWord(at offset: Int) -> UInt64 {
                UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            }
            switch count {
            case 0:
                return PackedName(low: 0, high: 0, count: 0)
            case 1...3:
                let low = UInt64(bytes[0]) | UInt64(bytes[count / 2]) << UInt64(8 * (count / 2))
                    | UInt64(bytes[count - 1]) << UInt64(8 * (count - 1))
                return PackedName(low: low, high: 0, count: count)
            case 4...7:
                let low = halfWord(at: 0) | halfWord(at: count - 4) << UInt64(8 * (count - 4))
                return PackedName(low: low, high: 0, count: count)
            case 8:
                return PackedName(low: word(at: 0), high: 0, count: count)
            default:
                return PackedName(low: word(at: 0), high: word(at: count - 8) >> UInt64(8 * (16 - count)), count: count)
            }
        }

        fileprivate init(low: UInt64, high: UInt64, count: Int) {
            self.low = low
            self.high = high
            self.count = count
        }

        /// For strings without contiguous UTF-8 (bridged ones), which the decoder never sees in practice.
        private init?(slowly name: String) {
            let bytes = Array(name.utf8)
            guard bytes.count <= 16 else { return nil }
            for (index, byte) in bytes.enumerated() {
                if index < 8 {
                    low |= UInt64(byte) << UInt64(8 * index)
                } else {
                    high |= UInt64(byte) << UInt64(8 * (index - 8))
                }
            }
            count = bytes.count
        }

        var hash: Int {
            let mixed = (low &* 0x9E37_79B9_7F4A_7C15) ^ (high &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(count)
            return Int(truncatingIfNeeded: mixed >> 40)
        }
    }

    private let names: [PackedName]
    private let keys: [BlockSchema.Key?]
    private let mask: Int
    private let longNames: [(name: String, key: BlockSchema.Key)]

    init(_ entries: [(String, BlockSchema.Key)]) {
        var size = 16
        while size < entries.count * 4 { size *= 2 }
        var names = [PackedName?](repeating: nil, count: size)
        var keys = [BlockSchema.Key?](repeating: nil, count: size)
        var longNames: [(name: String, key: BlockSchema.Key)] = []
        for (name, key) in entries {
            guard let packed = PackedName(name) else {
                longNames.append((name, key))
                continue
            }
            var index = packed.hash & (size - 1)
            while keys[index] != nil { index = (index + 1) & (size - 1) }
            names[index] = packed
            keys[index] = key
        }
        // An empty slot's name never matters: lookups stop at its nil key.
        self.names = names.map { $0 ?? PackedName(low: 0, high: 0, count: 0) }
        self.keys = keys
        self.mask = size - 1
        self.longNames = longNames
    }

    subscript(_ name: String) -> BlockSchema.Key? {
        guard let packed = PackedName(name) else {
            return longNames.first { $0.name == name }?.key
        }
        var index = packed.hash & mask
        // At most a quarter full, so a probe always reaches an empty slot.
        while let key = keys[index] {
            if names[index] == packed { return key }
            index = (index + 1) & mask
        }
        return nil
    }
}
