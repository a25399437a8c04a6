#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the host a worker runs on, read from /proc, /sys, /etc and uname. The parsers
/// take file contents, so tests feed them samples; `probe` reads the real files.
public struct Fingerprint: Sendable, Hashable {
    public var cpuCores: Int
    /// Cores times the per-core frequency: what `cpu` MHz reservations are taken from.
    public var cpuTotalMHz: Int
    public var cpuModel: String
    public var memoryBytes: Int64
    public var kernelName: String
    public var kernelVersion: String
    public var osName: String
    public var osVersion: String
    public var architecture: String
    public var hostname: String
    /// nil when the host has no usable cgroups.
    public var cgroupVersion: CgroupVersion?

    public init(
        cpuCores: Int, cpuTotalMHz: Int, cpuModel: String = "", memoryBytes: Int64, kernelName: String,
        kernelVersion: String, osName: String, osVersion: String, architecture: String, hostname: String,
        cgroupVersion: CgroupVersion?
    ) {
        self.cpuCores = cpuCores
        self.cpuTotalMHz = cpuTotalMHz
        self.cpuModel = cpuModel
        self.memoryBytes = memoryBytes
        self.kernelName = kernelName
        self.kernelVersion = kernelVersion
        self.osName = osName
        self.osVersion = osVersion
        self.architecture = architecture
        self.hostname = hostname
        self.cgroupVersion = cgroupVersion
    }

    /// Used when neither cpufreq nor /proc/cpuinfo tells a frequency (some VMs, ARM boards).
    public static let fallbackCoreMHz = 1000

    /// Reads this host.
    public static func probe(cgroupRoot: String = "/sys/fs/cgroup") -> Fingerprint {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let cpuinfo = FileIO.readText("/proc/cpuinfo", limit: 4 << 20) ?? ""
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        let cores = cpuCores(cpuinfo: cpuinfo, online: online > 0 ? Int(online) : 1)
        let maxKHz = FileIO.readText("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", limit: 64)
        let coreMHz = coreMegahertz(cpufreqMaxKHz: maxKHz, cpuinfo: cpuinfo)
        let os = operatingSystem(osRelease: FileIO.readText("/etc/os-release", limit: 64 * 1024) ?? "")
        return Fingerprint(
            cpuCores: cores, cpuTotalMHz: cores.multipliedReportingOverflow(by: coreMHz).partialValue,
            cpuModel: cpuModel(cpuinfo: cpuinfo),
            memoryBytes: memoryBytes(meminfo: FileIO.readText("/proc/meminfo", limit: 64 * 1024) ?? ""),
            kernelName: field(names.sysname).lowercased(), kernelVersion: field(names.release),
            osName: os.name, osVersion: os.version, architecture: goArchitecture(field(names.machine)),
            hostname: field(names.nodename), cgroupVersion: CgroupLayout.detect(root: cgroupRoot)?.version
        )
    }

    /// Logical processors: `processor` lines in /proc/cpuinfo, else what sysconf says.
    public static func cpuCores(cpuinfo: String, online: Int) -> Int {
        let count = cpuinfo.split(separator: "\n").filter { $0.hasPrefix("processor") }.count
        return count > 0 ? count : max(online, 1)
    }

    /// MHz of one core: cpufreq's maximum (kHz) when present, else the `cpu MHz` of
    /// /proc/cpuinfo, else `fallbackCoreMHz`.
    public static func coreMegahertz(cpufreqMaxKHz: String?, cpuinfo: String) -> Int {
        if let text = cpufreqMaxKHz, let kHz = Int(text.filter { !$0.isWhitespace }), kHz >= 1000 {
            return kHz / 1000
        }
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("cpu MHz") {
            if let value = line.split(separator: ":").last,
                let megahertz = Double(value.filter { !$0.isWhitespace }), megahertz >= 1, megahertz < 1_000_000
            {
                return Int(megahertz.rounded())
            }
        }
        return fallbackCoreMHz
    }

    public static func cpuModel(cpuinfo: String) -> String {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
            }
        }
        return ""
    }

    /// `MemTotal` of /proc/meminfo (kB) in bytes; 0 when missing.
    public static func memoryBytes(meminfo: String) -> Int64 {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kibibytes = Int64(fields[1]) {
                return kibibytes.multipliedReportingOverflow(by: 1024).overflow ? Int64.max : kibibytes * 1024
            }
        }
        return 0
    }

    /// `ID` and `VERSION_ID` of /etc/os-release, unquoted.
    public static func operatingSystem(osRelease: String) -> (name: String, version: String) {
        var name = ""
        var version = ""
        for line in osRelease.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals]
            var value = Substring(line[line.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            if key == "ID" { name = String(value) }
            if key == "VERSION_ID" { version = String(value) }
        }
        return (name, version)
    }

    /// uname's machine name in the spelling Nomad constraints use (`amd64`, `arm64`).
    public static func goArchitecture(_ machine: String) -> String {
        switch machine {
        case "x86_64": "amd64"
        case "aarch64", "arm64": "arm64"
        case "i386", "i686": "386"
        default: machine
        }
    }
}
