import Foundation
import Synchronization

/// Bridge networking for a group with `network { mode = "bridge" }`, built from the system's
/// `ip` and `iptables`, as Nomad's bridge mode does with CNI plugins:
///
/// - one Linux bridge per node, holding the subnet's first address (the gateway);
/// - per allocation, a network namespace joined to the bridge by a veth pair, with the next
///   free address of the subnet, loopback up and a default route through the gateway;
/// - per mapped port, a DNAT rule in Roost's own nat chain, reached from PREROUTING (traffic
///   from other machines) and OUTPUT (traffic from this machine, 127.0.0.1 included: the
///   bridge allows local sources and masquerades them);
/// - outbound traffic of the containers masqueraded, and forwarding through the bridge
///   allowed ahead of other firewall rules (a Docker host drops forwarded traffic by default).
///
/// Every change is undone by `detach` (one allocation) or `removeBridge` (the node's part).
/// Addresses are claimed by the record files, under a lock, so two allocations starting at
/// once never share one.
public final class BridgeNetwork: Sendable {
    public let settings: BridgeNetworkSettings
    private let ip: String
    private let iptables: String
    /// Held while an address is chosen and claimed, and while the bridge is set up.
    private let lock = Mutex<Void>(())

    /// A failure when the agent is not root or `ip` or `iptables` is missing: the reason says
    /// which and how to fix it.
    public static func make(_ settings: BridgeNetworkSettings) -> Result<BridgeNetwork, BridgeNetworkError> {
        tools().map { BridgeNetwork(settings: settings, ip: $0.ip, iptables: $0.iptables) }
    }

    /// What building bridge networks takes on this node: root (namespaces, veth pairs,
    /// iptables) and the system's `ip` and `iptables`. The node's `network.bridge` attribute
    /// and the Supervisor's bridge both ask here, so they never disagree.
    public static func tools() -> Result<(ip: String, iptables: String), BridgeNetworkError> {
        guard getuid() == 0 else { return .failure(BridgeNetworkError("bridge networking needs the agent to run as root")) }
        guard let ip = ExternalCommand.locate("ip") else {
            return .failure(BridgeNetworkError("bridge networking needs the `ip` program (apt-get install iproute2)"))
        }
        guard let iptables = ExternalCommand.locate("iptables") else {
            return .failure(BridgeNetworkError("bridge networking needs the `iptables` program (apt-get install iptables)"))
        }
        return .success((ip, iptables))
    }

    private init(settings: BridgeNetworkSettings, ip: String, iptables: String) {
        self.settings = settings
        self.ip = ip
        self.iptables = iptables
    }

    // MARK: The node's part

    /// The rules outside Roost's chain, each as the arguments after `-t TABLE -I/-A/-C/-D`.
    private var baseRules: [(table: String, chain: String, rule: [String], first: Bool)] {
        let bridge = settings.bridgeName
        let subnet = settings.subnet.description
        let tag = ["-m", "comment", "--comment", "roost bridge " + bridge]
        return [
            ("nat", "PREROUTING", ["-m", "addrtype", "--dst-type", "LOCAL"] + tag + ["-j", settings.chain], false),
            ("nat", "OUTPUT", ["-m", "addrtype", "--dst-type", "LOCAL"] + tag + ["-j", settings.chain], false),
            ("nat", "POSTROUTING", ["-s", subnet, "!", "-o", bridge] + tag + ["-j", "MASQUERADE"], false),
            ("nat", "POSTROUTING", ["-s", "127.0.0.0/8", "-o", bridge] + tag + ["-j", "MASQUERADE"], false),
            ("filter", "FORWARD", ["-i", bridge] + tag + ["-j", "ACCEPT"], true),
            ("filter", "FORWARD", ["-o", bridge] + tag + ["-j", "ACCEPT"], true),
        ]
    }

    /// Creates the bridge, Roost's chain and the rules that lead to it, and turns on IPv4
    /// forwarding; each only if missing, so this runs before every attach at little cost.
    public func ensureBridge() throws(BridgeNetworkError) {
        try lock.withLock { _ throws(BridgeNetworkError) in try ensureBridgeLocked() }
    }

    private func ensureBridgeLocked() throws(BridgeNetworkError) {
        let bridge = settings.bridgeName
        if !ExternalCommand.run(ip, ["link", "show", "dev", bridge]).succeeded {
            try must(ip, ["link", "add", "name", bridge, "type", "bridge"], "create the bridge \(bridge)")
        }
        try must(ip, ["addr", "replace", settings.subnet.gateway + "/\(settings.subnet.prefixLength)", "dev", bridge], "give the bridge \(bridge) its address")
        try must(ip, ["link", "set", "dev", bridge, "up"], "bring the bridge \(bridge) up")
        try writeSysctl("/proc/sys/net/ipv4/ip_forward", "1", why: "forward the containers' traffic")
        try writeSysctl("/proc/sys/net/ipv4/conf/\(bridge)/route_localnet", "1", why: "let 127.0.0.1 reach mapped ports")
        if !ExternalCommand.run(iptables, ["-t", "nat", "-S", settings.chain]).succeeded {
            try must(iptables, ["-t", "nat", "-N", settings.chain], "create the nat chain \(settings.chain)")
        }
        for base in baseRules where !ExternalCommand.run(iptables, ["-t", base.table, "-C", base.chain] + base.rule).succeeded {
            let verb = base.first ? ["-I", base.chain, "1"] : ["-A", base.chain]
            try must(iptables, ["-t", base.table] + verb + base.rule, "add a rule to \(base.table) \(base.chain)")
        }
    }

    /// Undoes `ensureBridge`: the rules, the chain and the bridge. For tests and for taking a
    /// node out of service; allocations still attached lose their network.
    public func removeBridge() {
        lock.withLock { _ in
            for base in baseRules {
                while ExternalCommand.run(iptables, ["-t", base.table, "-D", base.chain] + base.rule).succeeded {}
            }
            _ = ExternalCommand.run(iptables, ["-t", "nat", "-F", settings.chain])
            _ = ExternalCommand.run(iptables, ["-t", "nat", "-X", settings.chain])
            _ = ExternalCommand.run(ip, ["link", "delete", "dev", settings.bridgeName])
        }
    }

    // MARK: Allocations

    /// Gives the allocation its namespace, address and port mappings. Idempotent for an
    /// allocation already attached (an agent restarting, a task restarting): its record is
    /// returned as it is. A failure undoes what was done.
    public func attach(allocationID: String, ports: [BridgePortMapping]) throws(BridgeNetworkError) -> BridgeAttachment {
        try lock.withLock { _ throws(BridgeNetworkError) -> BridgeAttachment in
            let records = BridgeAttachment.all(in: settings.recordDirectory)
            if let existing = records.first(where: { $0.allocationID == allocationID }),
                FileManager.default.fileExists(atPath: existing.namespacePath)
            {
                return existing
            }
            try ensureBridgeLocked()
            let used = Set(records.map(\.address))
            var index = 0
            while let candidate = settings.subnet.allocationAddress(index), used.contains(candidate) { index += 1 }
            guard let address = settings.subnet.allocationAddress(index) else {
                throw BridgeNetworkError(
                    "no free address left on bridge \(settings.bridgeName) (\(settings.subnet), \(settings.subnet.allocatableCount) allocations): stop some bridge-mode allocations on this node")
            }
            let attachment = BridgeAttachment(
                allocationID: allocationID, namespaceName: settings.namespacePrefix + allocationID, address: address,
                hostInterface: Self.hostInterfaceName(allocationID), ports: ports)
            do {
                try attachment.save(in: settings.recordDirectory)
            } catch {
                throw BridgeNetworkError("cannot record the network of allocation \(allocationID) under \(settings.recordDirectory): \(error)")
            }
            do throws(BridgeNetworkError) {
                try build(attachment)
            } catch {
                tearDown(attachment)
                throw error
            }
            return attachment
        }
    }

    private func build(_ attachment: BridgeAttachment) throws(BridgeNetworkError) {
        let namespace = attachment.namespaceName
        let inside = "eth0"
        try must(ip, ["netns", "add", namespace], "create the network namespace \(namespace)")
        try must(
            ip, ["link", "add", attachment.hostInterface, "type", "veth", "peer", "name", inside, "netns", namespace],
            "create the veth pair \(attachment.hostInterface)")
        try must(ip, ["link", "set", "dev", attachment.hostInterface, "master", settings.bridgeName, "up"], "attach \(attachment.hostInterface) to \(settings.bridgeName)")
        try must(ip, ["-n", namespace, "addr", "add", attachment.address + "/\(settings.subnet.prefixLength)", "dev", inside], "address \(inside) in \(namespace)")
        try must(ip, ["-n", namespace, "link", "set", "dev", "lo", "up"], "bring up loopback in \(namespace)")
        try must(ip, ["-n", namespace, "link", "set", "dev", inside, "up"], "bring up \(inside) in \(namespace)")
        try must(ip, ["-n", namespace, "route", "add", "default", "via", settings.subnet.gateway], "route \(namespace) through \(settings.subnet.gateway)")
        for port in attachment.ports {
            for rule in portRules(port, of: attachment) {
                try must(iptables, ["-t", "nat", "-A", settings.chain] + rule, "map host port \(port.hostPort) to \(attachment.address):\(port.containerPort)")
            }
        }
    }

    /// TCP and UDP, as Nomad maps a port for both.
    private func portRules(_ port: BridgePortMapping, of attachment: BridgeAttachment) -> [[String]] {
        ["tcp", "udp"].map { proto in
            [
                "-p", proto, "--dport", String(port.hostPort), "-m", "comment", "--comment", "roost alloc " + attachment.allocationID,
                "-j", "DNAT", "--to-destination", attachment.address + ":" + String(port.containerPort),
            ]
        }
    }

    /// Removes the allocation's rules, namespace and veth pair, and its claim on the address.
    /// Idempotent: nothing attached is nothing to do.
    public func detach(allocationID: String) {
        lock.withLock { _ in
            guard let attachment = BridgeAttachment.all(in: settings.recordDirectory).first(where: { $0.allocationID == allocationID }) else { return }
            tearDown(attachment)
        }
    }

    /// Detaches every recorded allocation not in `keeping`: what a restarted agent does with
    /// the networks of allocations it no longer runs.
    public func detachAll(except keeping: Set<String>) {
        lock.withLock { _ in
            for attachment in BridgeAttachment.all(in: settings.recordDirectory) where !keeping.contains(attachment.allocationID) {
                tearDown(attachment)
            }
        }
    }

    private func tearDown(_ attachment: BridgeAttachment) {
        for port in attachment.ports {
            for rule in portRules(port, of: attachment) {
                while ExternalCommand.run(iptables, ["-t", "nat", "-D", settings.chain] + rule).succeeded {}
            }
        }
        _ = ExternalCommand.run(ip, ["netns", "delete", attachment.namespaceName])
        // Deleting the namespace deletes the pair; a pair whose namespace never came is left.
        _ = ExternalCommand.run(ip, ["link", "delete", "dev", attachment.hostInterface])
        try? FileManager.default.removeItem(atPath: BridgeAttachment.recordPath(attachment.allocationID, in: settings.recordDirectory))
    }

    // MARK: Helpers

    /// `rv` and 12 hex digits of a hash of the allocation ID: interface names have at most 15
    /// characters, and allocation IDs sharing a prefix must not collide.
    static func hostInterfaceName(_ allocationID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in allocationID.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex
        return "rv" + padded.prefix(12)
    }

    private func must(_ tool: String, _ arguments: [String], _ step: String) throws(BridgeNetworkError) {
        let outcome = ExternalCommand.run(tool, arguments)
        guard outcome.succeeded else {
            let program = (tool as NSString).lastPathComponent
            throw BridgeNetworkError(
                "bridge network: cannot \(step): `\(program) \(arguments.joined(separator: " "))` failed (\(outcome.error.isEmpty ? "exit \(outcome.status)" : outcome.error)); bridge mode needs root and a kernel with bridge, veth and iptables nat support")
        }
    }

    private func writeSysctl(_ path: String, _ value: String, why: String) throws(BridgeNetworkError) {
        if let current = try? String(contentsOfFile: path, encoding: .utf8), current.trimmingCharacters(in: .whitespacesAndNewlines) == value { return }
        do {
            try value.write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw BridgeNetworkError("bridge network: cannot set \(path) to \(value) to \(why): \(error)")
        }
    }
}
