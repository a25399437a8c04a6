import Foundation
import Glibc

/// A small network made of namespaces this test creates, so that agents can run as if on
/// separate machines and a machine can be cut off by taking its link down: a hub namespace
/// holding a bridge, one namespace per node joined to the bridge by a veth pair, and one veth
/// from the test's own namespace to the bridge so the test can reach every node. Addresses are
/// `10.213.<subnet>.<node>`; nothing is routed beyond the lab. `destroy()` deletes the
/// namespaces, which removes every link in them, and the test's own veth.
///
/// Needs root and `ip` (iproute2); `create` returns nil otherwise, and the caller falls back to
/// distinct 127.0.0.x addresses on loopback (where links cannot be cut).
final class NetworkLab: @unchecked Sendable {
    // @unchecked: set up once, then only read; `destroy` runs at the end of the test.
    let tag: String
    let subnet: Int
    let nodeCount: Int
    static let ipTool = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }

    var hub: String { "rlab\(tag)-hub" }
    func namespace(of node: Int) -> String { "rlab\(tag)-n\(node)" }
    /// Node `i` (from 1) answers at this address.
    func address(of node: Int) -> String { "10.213.\(subnet).\(node)" }
    var testAddress: String { "10.213.\(subnet).254" }
    private var testLink: String { "rl\(tag)" }

    /// Why the lab cannot be built here, or nil when it can.
    static var unavailableReason: String? {
        if geteuid() != 0 { return "not root" }
        if ipTool == nil { return "no ip command (iproute2)" }
        if nsenterTool == nil { return "no nsenter command (util-linux)" }
        return nil
    }

    static func create(nodes: Int) throws -> NetworkLab? {
        guard unavailableReason == nil else { return nil }
        let lab = NetworkLab(nodes: nodes)
        do {
            try lab.build()
        } catch {
            lab.destroy()
            throw error
        }
        return lab
    }

    private init(nodes: Int) {
        tag = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        subnet = Int.random(in: 1...250)
        nodeCount = nodes
    }

    private func build() throws {
        try Self.ip("netns", "add", hub)
        try Self.ip("-n", hub, "link", "set", "lo", "up")
        try Self.ip("-n", hub, "link", "add", "br0", "type", "bridge")
        try Self.ip("-n", hub, "link", "set", "br0", "up")
        for node in 1...nodeCount {
            let name = namespace(of: node)
            try Self.ip("netns", "add", name)
            try Self.ip("-n", name, "link", "set", "lo", "up")
            try Self.ip("-n", hub, "link", "add", "h\(node)", "type", "veth", "peer", "name", "eth0", "netns", name)
            try Self.ip("-n", hub, "link", "set", "h\(node)", "master", "br0", "up")
            try Self.ip("-n", name, "addr", "add", address(of: node) + "/24", "dev", "eth0")
            try Self.ip("-n", name, "link", "set", "eth0", "up")
        }
        try Self.ip("link", "add", testLink, "type", "veth", "peer", "name", "tst", "netns", hub)
        try Self.ip("-n", hub, "link", "set", "tst", "master", "br0", "up")
        try Self.ip("addr", "add", testAddress + "/24", "dev", testLink)
        try Self.ip("link", "set", testLink, "up")
    }

    /// Cuts node `node` off from every other node and from the test (or reconnects it): its
    /// port on the bridge goes down, as when a machine's cable is pulled.
    func setLink(of node: Int, up: Bool) throws {
        try Self.ip("-n", hub, "link", "set", "h\(node)", up ? "up" : "down")
    }

    /// The command line that runs `executable` inside node `node`'s network namespace.
    /// `nsenter --net` rather than `ip netns exec`: the latter also makes a mount namespace
    /// with a fresh /sys, which hides the cgroup file system from the agent. nsenter execs the
    /// program in place, so the process started is the program itself (its PID is the one to
    /// kill).
    func command(in node: Int, _ executable: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        (Self.nsenterTool ?? "/usr/bin/nsenter", ["--net=/run/netns/" + namespace(of: node), "--", executable] + arguments)
    }

    static let nsenterTool = ["/usr/bin/nsenter", "/bin/nsenter", "/usr/sbin/nsenter"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func destroy() {
        try? Self.ip("link", "del", testLink)
        for node in 1...max(1, nodeCount) { try? Self.ip("netns", "del", namespace(of: node)) }
        try? Self.ip("netns", "del", hub)
    }

    /// Namespaces of this lab still present (none after `destroy`).
    func leftovers() -> [String] {
        let listing = (try? Self.ipOutput("netns", "list")) ?? ""
        return listing.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") }.filter { $0.hasPrefix("rlab\(tag)-") }
    }

    struct CommandFailure: Error, CustomStringConvertible {
        var command: String
        var output: String
        var description: String { "\(command) failed: \(output)" }
    }

    @discardableResult
    static func ip(_ arguments: String...) throws -> String { try ipOutput(arguments) }

    static func ipOutput(_ arguments: String...) throws -> String { try ipOutput(arguments) }

    static func ipOutput(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ipTool ?? "/usr/sbin/ip")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure(command: "ip " + arguments.joined(separator: " "), output: output)
        }
        return output
    }
}
