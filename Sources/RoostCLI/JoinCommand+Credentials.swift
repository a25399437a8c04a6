import ClusterSecurity
import Foundation

/// Where a joined node keeps its credentials: one file, `node-credentials` in the data
/// directory, written atomically and readable only by its owner (it holds the node's key).
extension JoinCommand {
    static func credentialsPath(in directory: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + NodeCredentials.fileName
    }

    static func store(_ credentials: NodeCredentials, in directory: String) throws(CommandError) {
        let path = credentialsPath(in: directory)
        let temporary = path + ".tmp"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .failure("cannot create the data directory \(directory): \(error)")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .failure("cannot write \(temporary): errno \(errno); check the directory's permissions") }
        let bytes = credentials.encoded
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .failure("cannot write \(path): errno \(errno); check free space and permissions")
        }
    }
}

/// Writes a node's credentials file the way `roost join` does (0600, atomically), for the
/// agent that renews the node's certificate.
public enum NodeCredentialsStore {
    public static func store(_ credentials: NodeCredentials, in directory: String) throws {
        do {
            try JoinCommand.store(credentials, in: directory)
        } catch {
            throw NodeCredentialsStoreError(message: error.message)
        }
    }
}

public struct NodeCredentialsStoreError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
