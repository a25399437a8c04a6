import ClusterModel

extension AllocationRunner {
    /// The network the allocation's containers join, from the group's `network { mode }`:
    /// the node's own for `host`; for `bridge`, the allocation's namespace on the node's bridge
    /// (made when the first container needs it, shared by the others, its ports mapped from
    /// the host ports the scheduler assigned to the `to` ports inside); for `none`, a namespace
    /// of each container's own with loopback only. raw_exec tasks always use the node's.
    func containerNetwork() async -> Result<OCIContainerSpec.Network, TaskPreparationError> {
        let mode = allocation.group?.networks.first?.mode ?? "host"
        switch mode {
        case "host":
            return .success(.host)
        case "none":
            return .success(.isolated)
        case "bridge":
            if let networkAttachment { return .success(.joined(namespacePath: networkAttachment.namespacePath)) }
            guard let bridge else {
                return .failure(TaskPreparationError(
                    message: "network mode \"bridge\" is not available on this node: it needs root and the ip and iptables programs (apt-get install iproute2 iptables)",
                    isSetupFailure: true))
            }
            let ports = allocation.ports.map { BridgePortMapping(hostPort: $0.value, containerPort: $0.to > 0 ? $0.to : $0.value) }
            let allocationID = allocation.id.uuid
            let attached: Result<BridgeAttachment, BridgeNetworkError> = await Self.blocking {
                Result { () throws(BridgeNetworkError) in try bridge.attach(allocationID: allocationID, ports: ports) }
            }
            switch attached {
            case .success(let attachment):
                networkAttachment = attachment
                return .success(.joined(namespacePath: attachment.namespacePath))
            case .failure(let error):
                return .failure(TaskPreparationError(message: error.message, isSetupFailure: false))
            }
        default:
            return .failure(TaskPreparationError(
                message: "network mode \"\(mode)\" is not provided by Roost: use \"host\", \"bridge\" or \"none\"", isSetupFailure: true))
        }
    }

    /// Removes the allocation's namespace, veth pair and port mappings.
    func releaseNetwork(_ attachment: BridgeAttachment) async {
        guard let bridge else { return }
        await Self.blocking { bridge.detach(allocationID: attachment.allocationID) }
    }
}
