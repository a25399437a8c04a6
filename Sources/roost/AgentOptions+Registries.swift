import Images
import RoostCLI

extension AgentOptions {
    /// The worker's registry settings from the agent's `registry` blocks and
    /// `-insecure-registry` flags.
    var registrySettings: RegistrySettings {
        var settings = RegistrySettings()
        for registry in registries {
            if registry.insecure { settings.insecureRegistries.insert(registry.host) }
            if let username = registry.username, let password = registry.password {
                settings.credentials[registry.host] = RegistryCredentials(username: username, password: password)
            }
        }
        return settings
    }
}
