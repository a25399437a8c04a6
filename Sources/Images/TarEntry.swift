/// One member of a tar stream, with its long name and PAX overrides already applied.
struct TarEntry {
    enum Kind: Equatable {
        case file, hardLink, symbolicLink, characterDevice, blockDevice, directory, fifo
    }

    var name: String
    var kind: Kind
    var mode: UInt32
    var uid: Int
    var gid: Int
    var size: Int64
    var linkName: String

    /// Parsed metadata blocks of the archive: PAX and GNU long names that apply to the next entry.
    struct Overrides {
        var path: String?
        var linkPath: String?
        var size: Int64?
        var uid: Int?
        var gid: Int?
    }

    /// Decodes a 512-byte header. Returns the raw type flag for metadata headers.
    static func parseHeader(_ block: [UInt8], layer: String) throws(ImageError) -> (typeFlag: UInt8, name: String, mode: UInt32, uid: Int, gid: Int, size: Int64, linkName: String) {
        guard block.count == 512 else { throw ImageError(.unsafeLayer, "layer \(layer): short tar header") }
        var sum = 0
        for (index, byte) in block.enumerated() { sum += (148..<156).contains(index) ? 32 : Int(byte) }
        guard let recorded = number(block[148..<156]), recorded == Int64(sum) else {
            throw ImageError(.unsafeLayer, "layer \(layer): a tar header's checksum is wrong; the layer is not a valid tar")
        }
        func text(_ range: Range<Int>) -> String {
            String(decoding: block[range].prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        var name = text(0..<100)
        let isUstar = block[257..<262].elementsEqual("ustar".utf8)
        if isUstar {
            let prefix = text(345..<500)
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        guard let mode = number(block[100..<108]), let uid = number(block[108..<116]), let gid = number(block[116..<124]),
            let size = number(block[124..<136]), size >= 0
        else {
            throw ImageError(.unsafeLayer, "layer \(layer): entry \"\(name.prefix(200))\" has a malformed numeric field")
        }
        return (block[156], name, UInt32(truncatingIfNeeded: mode & 0o7777), Int(clamping: uid), Int(clamping: gid), size, text(157..<257))
    }

    /// An octal field (NUL/space padded) or GNU base-256 (high bit set); nil when malformed.
    static func number(_ field: ArraySlice<UInt8>) -> Int64? {
        guard let first = field.first else { return 0 }
        if first & 0x80 != 0 {
            var value: Int64 = Int64(first & 0x3f)
            for byte in field.dropFirst() {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 256)
                if overflow { return nil }
                value = shifted | Int64(byte)
            }
            return first & 0x40 != 0 ? nil : value
        }
        var value: Int64 = 0
        var seenDigit = false
        for byte in field {
            if byte == 0 || byte == 32 {
                if seenDigit { break } else { continue }
            }
            guard byte >= 48 && byte <= 55 else { return nil }
            seenDigit = true
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 8)
            if overflow { return nil }
            value = shifted + Int64(byte - 48)
        }
        return value
    }

    /// PAX extended header records: `<length> <key>=<value>\n`.
    static func parsePAX(_ bytes: [UInt8], into overrides: inout Overrides, layer: String) throws(ImageError) {
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: 32), let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)),
                length > 0, index + length <= bytes.count, space + 1 < index + length
            else {
                throw ImageError(.unsafeLayer, "layer \(layer): a PAX header record is malformed")
            }
            let record = bytes[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: 61) {
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                let value = String(decoding: record[(equals + 1)...], as: UTF8.self)
                switch key {
                case "path": overrides.path = value
                case "linkpath": overrides.linkPath = value
                case "size": overrides.size = Int64(value)
                case "uid": overrides.uid = Int(value)
                case "gid": overrides.gid = Int(value)
                default: break
                }
            }
            index += length
        }
    }
}
