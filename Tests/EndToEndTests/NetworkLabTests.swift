import Foundation
import Testing

/// The lab the multi-machine tests stand on: nodes in their own namespaces reach each other
/// and the test, a node whose link is down is unreachable until it comes back, and nothing is
/// left behind.
@Suite(.serialized) struct NetworkLabTests {
    @Test func nodesInTheLabReachEachOtherUntilALinkIsCutAndNothingIsLeftBehind() throws {
        if let reason = NetworkLab.unavailableReason {
            print("NetworkLabTests skipped: network namespaces need root and iproute2 (\(reason))")
            return
        }
        let lab = try #require(try NetworkLab.create(nodes: 3))
        defer { lab.destroy() }
        #expect(try Self.ping(from: 1, to: lab.address(of: 2), in: lab))
        #expect(try Self.ping(from: 3, to: lab.testAddress, in: lab))
        try lab.setLink(of: 2, up: false)
        #expect(try !Self.ping(from: 1, to: lab.address(of: 2), in: lab))
        #expect(try Self.ping(from: 1, to: lab.address(of: 3), in: lab))
        try lab.setLink(of: 2, up: true)
        #expect(try Self.ping(from: 1, to: lab.address(of: 2), in: lab))
        lab.destroy()
        #expect(lab.leftovers().isEmpty)
    }

    /// Whether `address` answers from inside node `from`'s namespace: a TCP connection to a
    /// closed port is refused at once by a reachable host and times out behind a cut link.
    /// SIGKILL, because the test runner's children may inherit a mask that blocks SIGTERM.
    static func ping(from node: Int, to address: String, in lab: NetworkLab) throws -> Bool {
        let (executable, arguments) = lab.command(
            in: node, "/usr/bin/timeout", ["-s", "KILL", "2", "/bin/bash", "-c", "exec 3<>/dev/tcp/\(address)/9"])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 || output.contains("refused")
    }
}
