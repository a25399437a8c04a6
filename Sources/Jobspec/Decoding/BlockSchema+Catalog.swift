/// The jobspec language of Nomad 1.6, block by block: the only place that says which keys
/// each block accepts.
extension BlockSchema {
    /// The top level of a file, after the evaluator removed `variable` and `locals`.
    static let file = BlockSchema("the file", singleBlocks: ["job"])

    static let job = BlockSchema(
        "job", label: "name",
        attributes: [
            "id", "name", "type", "priority", "all_at_once", "datacenters", "region", "namespace", "node_pool",
        ],
        singleBlocks: ["update", "periodic", "parameterized", "reschedule", "migrate"],
        repeatedBlocks: ["group", "task", "constraint", "affinity", "spread"],
        mapBlocks: ["meta"],
        unsupportedAttributes: ["consul_token", "vault_token"],
        unsupportedBlocks: ["vault", "consul", "multiregion"])

    static let group = BlockSchema(
        "group", label: "name",
        attributes: ["count", "shutdown_delay", "stop_after_client_disconnect", "max_client_disconnect"],
        singleBlocks: ["restart", "reschedule", "update", "migrate", "ephemeral_disk", "network"],
        repeatedBlocks: ["task", "constraint", "affinity", "spread", "service"],
        mapBlocks: ["meta"],
        unsupportedBlocks: ["vault", "consul", "volume", "scaling"])

    static let task = BlockSchema(
        "task", label: "name",
        attributes: ["driver", "user", "kill_timeout", "kill_signal", "shutdown_delay", "leader", "kind"],
        singleBlocks: ["config", "resources", "logs", "lifecycle", "restart", "dispatch_payload"],
        repeatedBlocks: ["artifact", "template", "service", "constraint", "affinity"],
        mapBlocks: ["meta", "env"],
        unsupportedBlocks: [
            "vault", "consul", "volume_mount", "csi_plugin", "scaling", "identity",
        ])


    static let resources = BlockSchema(
        "resources",
        attributes: ["cpu", "cores", "memory", "memory_max"],
        singleBlocks: ["network"],
        repeatedBlocks: ["device"],
        deprecatedAttributes: [
            "disk": "`disk` in resources is ignored since Nomad 0.5; set the group's ephemeral_disk { size = … } instead",
            "iops": "`iops` in resources is ignored since Nomad 0.9",
        ])

    static let network = BlockSchema(
        "network",
        attributes: ["mode", "mbits", "hostname"],
        singleBlocks: ["dns"],
        repeatedBlocks: ["port"],
        unsupportedAttributes: ["device", "cidr", "ip"],
        mistakes: [
            "reserved_ports": "this is the syntax before Nomad 0.5; write port \"label\" { static = 8080 } for each port",
            "dynamic_ports": "this is the syntax before Nomad 0.5; write port \"label\" {} for each port",
        ])

    static let port = BlockSchema("port", label: "label", attributes: ["static", "to", "host_network"])

    static let dns = BlockSchema("dns", attributes: ["servers", "searches", "options"])

    static let device = BlockSchema("device", label: "name", attributes: ["count"], repeatedBlocks: ["constraint", "affinity"])

    static let service = BlockSchema(
        "service",
        attributes: ["name", "tags", "canary_tags", "port", "address_mode", "address", "task", "on_update", "provider"],
        singleBlocks: ["check_restart"],
        repeatedBlocks: ["check"],
        mapBlocks: ["meta", "canary_meta"],
        unsupportedAttributes: ["enable_tag_override"],
        unsupportedBlocks: ["connect", "tagged_addresses", "identity"])

    static let check = BlockSchema(
        "check",
        attributes: [
            "name", "type", "command", "args", "path", "protocol", "port", "address_mode", "interval", "timeout",
            "initial_status", "tls_skip_verify", "method", "body", "grpc_service", "grpc_use_tls", "task",
            "success_before_passing", "failures_before_critical", "on_update",
        ],
        singleBlocks: ["check_restart"],
        mapBlocks: ["header"],
        unsupportedAttributes: ["expose", "tls_server_name", "failures_before_warning"])

    static let checkRestart = BlockSchema("check_restart", attributes: ["limit", "grace", "ignore_warnings"])

    static let constraint = BlockSchema(
        "constraint",
        attributes: [
            "attribute", "value", "operator", "distinct_hosts", "distinct_property", "regexp", "version", "semver",
            "set_contains", "set_contains_all", "set_contains_any",
        ])

    static let affinity = BlockSchema(
        "affinity",
        attributes: [
            "attribute", "value", "operator", "weight", "regexp", "version", "semver", "set_contains",
            "set_contains_all", "set_contains_any",
        ])

    static let spread = BlockSchema("spread", attributes: ["attribute", "weight"], repeatedBlocks: ["target"])

    static let spreadTarget = BlockSchema("target", label: "value", attributes: ["percent"])

    static let update = BlockSchema(
        "update",
        attributes: [
            "stagger", "max_parallel", "health_check", "min_healthy_time", "healthy_deadline", "progress_deadline",
            "auto_revert", "auto_promote", "canary",
        ])

    static let migrate = BlockSchema(
        "migrate", attributes: ["max_parallel", "health_check", "min_healthy_time", "healthy_deadline"])

    static let restart = BlockSchema(
        "restart", attributes: ["attempts", "interval", "delay", "mode", "render_templates"])

    static let reschedule = BlockSchema(
        "reschedule", attributes: ["attempts", "interval", "delay", "delay_function", "max_delay", "unlimited"])

    static let ephemeralDisk = BlockSchema("ephemeral_disk", attributes: ["size", "sticky", "migrate"])

    static let periodic = BlockSchema(
        "periodic", attributes: ["cron", "crons", "prohibit_overlap", "time_zone", "enabled"])

    static let parameterized = BlockSchema(
        "parameterized", attributes: ["payload", "meta_required", "meta_optional"])

    static let logs = BlockSchema(
        "logs", attributes: ["max_files", "max_file_size", "disabled"],
        deprecatedAttributes: ["enabled": "`enabled` in logs is deprecated; write disabled = true to turn logs off"])

    static let lifecycle = BlockSchema("lifecycle", attributes: ["hook", "sidecar"])

    static let dispatchPayload = BlockSchema("dispatch_payload", attributes: ["file"])

    static let artifact = BlockSchema(
        "artifact", attributes: ["source", "destination", "mode"], mapBlocks: ["options", "headers"],
        unsupportedAttributes: ["insecure", "chown"])

    static let template = BlockSchema(
        "template",
        attributes: [
            "source", "destination", "data", "change_mode", "change_signal", "splay", "perms", "uid", "gid",
            "left_delimiter", "right_delimiter", "env", "error_on_missing_key",
        ],
        singleBlocks: ["change_script", "wait"],
        deprecatedAttributes: ["vault_grace": "`vault_grace` is ignored since Nomad 0.12"])

    static let changeScript = BlockSchema(
        "change_script", attributes: ["command", "args", "timeout", "fail_on_error"])

    static let templateWait = BlockSchema("wait", attributes: ["min", "max"])
}
