import Foundation
@testable import Images

/// Builds tar streams entry by entry, including ones `tar` itself refuses to write (`../`
/// names, links out of the tree), to feed the unpacker hostile layers.
struct TarBuilder {
    private(set) var bytes: [UInt8] = []

    mutating func file(_ name: String, _ content: String, mode: Int = 0o644) {
        header(name, type: "0", size: content.utf8.count, mode: mode)
        bytes += Array(content.utf8)
        pad()
    }

    mutating func directory(_ name: String, mode: Int = 0o755) { header(name, type: "5", size: 0, mode: mode) }
    mutating func symlink(_ name: String, to target: String) { header(name, type: "2", size: 0, mode: 0o777, link: target) }
    mutating func hardLink(_ name: String, to target: String) { header(name, type: "1", size: 0, mode: 0o644, link: target) }

    mutating func header(_ name: String, type: Character, size: Int, mode: Int, link: String = "") {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            var text = String(value, radix: 8)
            while text.count < width - 1 { text = "0" + text }
            put(text, at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(mode, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(0, at: 136, width: 12)
        block[156] = type.asciiValue ?? 48
        put(link, at: 157, width: 100)
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        for index in 148..<156 { block[index] = 32 }
        let sum = block.reduce(0) { $0 + Int($1) }
        octal(sum, at: 148, width: 7)
        bytes += block
    }

    private mutating func pad() {
        while bytes.count % 512 != 0 { bytes.append(0) }
    }

    /// The finished archive (two zero blocks), written to `path`; returns its diff_id.
    @discardableResult
    func write(to path: String) throws -> Digest {
        let all = bytes + [UInt8](repeating: 0, count: 1024)
        try Data(all).write(to: URL(fileURLWithPath: path))
        return Digest(hashing: all)
    }
}

/// A temporary directory removed when the test ends.
final class ScratchDirectory {
    let path: String

    init(_ label: String = "images") {
        path = FileManager.default.temporaryDirectory.path + "/roost-\(label)-" + UUID().uuidString.prefix(8)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
