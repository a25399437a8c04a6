import Foundation
import Glibc
import Testing

@testable import RaftRuntime

/// The data key file: made once with owner-only access, and refused with a fix when it is
/// exposed, damaged or missing.
@Suite("Data key file") struct AtRestKeyTests {
    @Test func theKeyIsCreatedOnceOwnerOnlyAndTheSameKeyIsLoadedAfterwards() throws {
        let scratch = ScratchDirectory()
        let path = scratch.path + "/data.key"
        let first = try AtRestKey.loadOrCreate(at: path, createIfMissing: true)
        #expect(first.created)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(scratch.bytes(of: "data.key").count == 32 && scratch.bytes(of: "data.key") == first.key.bytes)
        #expect(scratch.files(withSuffix: ".tmp").isEmpty)
        let second = try AtRestKey.loadOrCreate(at: path, createIfMissing: true)
        #expect(!second.created && second.key.bytes == first.key.bytes)
    }

    @Test func aKeyFileOthersCanReadIsRefusedWithTheChmodThatFixesIt() throws {
        let scratch = ScratchDirectory()
        let path = scratch.path + "/data.key"
        _ = try AtRestKey.loadOrCreate(at: path, createIfMissing: true)
        chmod(path, 0o644)
        let error = try #require(throws: AtRestKeyError.self) { try AtRestKey.loadOrCreate(at: path, createIfMissing: true) }
        #expect(error.description.contains("has mode 644") && error.description.contains("chmod 600 \(path)"))
    }

    @Test func aKeyFileOfTheWrongLengthIsRefusedAndNotReplaced() throws {
        let scratch = ScratchDirectory()
        scratch.write(Array(repeating: 7, count: 31), to: "data.key")
        chmod(scratch.path + "/data.key", 0o600)
        let error = try #require(throws: AtRestKeyError.self) {
            try AtRestKey.loadOrCreate(at: scratch.path + "/data.key", createIfMissing: true)
        }
        #expect(error.description.contains("holds 31 bytes, not the 32") && error.description.contains("restore the key file from backup"))
        #expect(scratch.bytes(of: "data.key") == Array(repeating: 7, count: 31))
    }

    @Test func aMissingKeyBesideExistingDataIsAnErrorNotANewKey() throws {
        let scratch = ScratchDirectory()
        let path = scratch.path + "/data.key"
        let error = try #require(throws: AtRestKeyError.self) { try AtRestKey.loadOrCreate(at: path, createIfMissing: false) }
        #expect(error.description.contains("\(path) is missing") && error.description.contains("restore the key file from backup"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
