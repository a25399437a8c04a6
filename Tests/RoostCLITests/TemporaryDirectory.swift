import Foundation

/// A directory of its own for one test, removed by `remove()` (call it in a `defer`).
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("roost-cli-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes a file and returns its path.
    @discardableResult
    func file(_ name: String, _ contents: String, permissions: Int? = nil) throws -> String {
        let filePath = path + "/" + name
        try Data(contents.utf8).write(to: URL(fileURLWithPath: filePath))
        if let permissions {
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: filePath)
        }
        return filePath
    }

    func contents(of filePath: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: filePath)), as: UTF8.self)
    }

    func permissions(of filePath: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: filePath)[.posixPermissions] as? Int
    }

    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
