import Foundation

/// A temporary directory removed when the test is done with it.
final class ScratchDirectory {
    let path: String

    init(_ label: String = "roost-platform") {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func write(_ text: String, to relative: String) {
        let file = path + "/" + relative
        try? FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true
        )
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
    }

    func read(_ relative: String) -> String? {
        (try? String(contentsOfFile: path + "/" + relative, encoding: .utf8))
    }
}
