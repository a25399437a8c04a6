import ClusterModel

extension DecodingSession {
    mutating func decodeResources(_ block: EvaluatedBlock) -> (Resources, [PortLabelUse]) {
        let content = open(block, as: .resources)
        var resources = Resources()
        let cores = wholeNumber("cores", in: content, atLeast: 0)
        let cpu = wholeNumber("cpu", in: content, atLeast: 1)
        if let cores {
            resources.cores = cores
            // Reserved cores decide the CPU share; Nomad leaves cpu at 0 unless both are set.
            resources.cpuMHz = 0
            if cpu != nil, let attribute = content["cores"] {
                error(
                    "a task asks for either cpu or cores, not both", at: attribute.nameSpan,
                    hint: "cores reserves whole CPUs; cpu shares MHz; remove one")
            }
        }
        if let cpu { resources.cpuMHz = cpu }
        if let memory = wholeNumber("memory", in: content, atLeast: 10) { resources.memoryMiB = memory }
        if let memoryMax = wholeNumber("memory_max", in: content, atLeast: 0) {
            if memoryMax > 0, memoryMax < resources.memoryMiB, let attribute = content["memory_max"] {
                error(
                    "memory_max (\(memoryMax)) must not be less than memory (\(resources.memoryMiB))",
                    at: attribute.valueSpan)
            } else {
                resources.memoryMaxMiB = memoryMax
            }
        }
        var ports: [PortLabelUse] = []
        if let networkBlock = content.block("network") {
            let (network, networkPorts) = decodeNetwork(networkBlock)
            resources.networks = [network]
            ports = networkPorts
        }
        resources.devices = content.blocks("device").compactMap { decodeDevice($0) }
        return (resources, ports)
    }

    mutating func decodeNetwork(_ block: EvaluatedBlock) -> (NetworkSpec, [PortLabelUse]) {
        let content = open(block, as: .network)
        var network = NetworkSpec()
        if let mode = string("mode", in: content) { network.mode = mode }
        if let mbits = wholeNumber("mbits", in: content, atLeast: 0) { network.mbits = mbits }
        if let hostname = string("hostname", in: content) { network.hostname = hostname }
        if let dnsBlock = content.block("dns") {
            let dns = open(dnsBlock, as: .dns)
            network.dns = NetworkSpec.DNSConfig(
                servers: stringList("servers", in: dns) ?? [], searches: stringList("searches", in: dns) ?? [],
                options: stringList("options", in: dns) ?? [])
        }
        var seen = PortLabelSet()
        for portBlock in content.blocks("port") {
            let port = open(portBlock, as: .port)
            guard let label = port.label else { continue }
            let value = wholeNumber("static", in: port, atLeast: 0, atMost: 65535) ?? 0
            let to = wholeNumber("to", in: port, atLeast: -1, atMost: 65535) ?? 0
            let hostNetwork = string("host_network", in: port) ?? "default"
            guard Self.isValidPortLabel(label) else {
                error(
                    "port label \"\(Self.shortened(label))\" is invalid: it must match ^[a-zA-Z0-9_]+$",
                    at: port.labelSpan, hint: "use only letters, digits and underscores, e.g. port \"http\"")
                continue
            }
            let use = PortLabelUse(label: label, span: port.labelSpan)
            // Collisions inside one network are reported here; across networks by the group.
            guard registerPortLabel(use, in: &seen) else { continue }
            let decoded = NetworkSpec.Port(label: label, value: value, to: to, hostNetwork: hostNetwork)
            if value > 0 {
                network.reservedPorts.append(decoded)
            } else {
                network.dynamicPorts.append(decoded)
            }
        }
        return (network, seen.all)
    }

    static func isValidPortLabel(_ label: String) -> Bool {
        !label.isEmpty
            && label.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
            }
    }

    mutating func decodeDevice(_ block: EvaluatedBlock) -> DeviceRequest? {
        let content = open(block, as: .device)
        guard let name = content.label else { return nil }
        if name.isEmpty {
            error("the device name must not be empty", at: content.labelSpan, hint: "e.g. device \"nvidia/gpu\"")
        }
        var device = DeviceRequest(name: name)
        if let count = wholeNumber("count", in: content, atLeast: 0) { device.count = count }
        device.constraints = content.blocks("constraint").compactMap { decodeConstraint($0) }
        device.affinities = content.blocks("affinity").compactMap { decodeAffinity($0) }
        return device
    }
}
