import Testing

@testable import Platform

@Suite struct FingerprintTests {
    static let cpuinfo = """
        processor\t: 0
        model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
        cpu MHz\t\t: 2899.998

        processor\t: 1
        model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
        cpu MHz\t\t: 2899.998
        """

    @Test func coresAndModelComeFromProcCpuinfo() {
        #expect(Fingerprint.cpuCores(cpuinfo: Self.cpuinfo, online: 8) == 2)
        #expect(Fingerprint.cpuCores(cpuinfo: "", online: 8) == 8)
        #expect(Fingerprint.cpuModel(cpuinfo: Self.cpuinfo) == "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz")
    }

    @Test func coreFrequencyPrefersCpufreqThenCpuinfoThenAFallback() {
        #expect(Fingerprint.coreMegahertz(cpufreqMaxKHz: "3500000\n", cpuinfo: Self.cpuinfo) == 3500)
        #expect(Fingerprint.coreMegahertz(cpufreqMaxKHz: nil, cpuinfo: Self.cpuinfo) == 2900)
        #expect(Fingerprint.coreMegahertz(cpufreqMaxKHz: "garbage", cpuinfo: "") == Fingerprint.fallbackCoreMHz)
        #expect(Fingerprint.coreMegahertz(cpufreqMaxKHz: nil, cpuinfo: "cpu MHz : 1e300") == Fingerprint.fallbackCoreMHz)
    }

    @Test func totalMemoryComesFromMemTotal() {
        #expect(Fingerprint.memoryBytes(meminfo: "MemTotal:       24570536 kB\nMemFree: 1 kB\n") == 24_570_536 * 1024)
        #expect(Fingerprint.memoryBytes(meminfo: "nothing") == 0)
        #expect(Fingerprint.memoryBytes(meminfo: "MemTotal: 99999999999999999 kB") == Int64.max)
    }

    @Test func theOperatingSystemComesFromOsRelease() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"
        let os = Fingerprint.operatingSystem(osRelease: text)
        #expect(os.name == "debian")
        #expect(os.version == "12")
    }

    @Test func architecturesUseTheNamesConstraintsUse() {
        #expect(Fingerprint.goArchitecture("x86_64") == "amd64")
        #expect(Fingerprint.goArchitecture("aarch64") == "arm64")
        #expect(Fingerprint.goArchitecture("riscv64") == "riscv64")
    }

    @Test func probingThisHostFindsCoresMemoryAndALinuxKernel() {
        let fingerprint = Fingerprint.probe()
        #expect(fingerprint.cpuCores >= 1)
        #expect(fingerprint.cpuTotalMHz >= fingerprint.cpuCores)
        #expect(fingerprint.memoryBytes > 0)
        #expect(fingerprint.kernelName == "linux")
        #expect(!fingerprint.kernelVersion.isEmpty)
        #expect(!fingerprint.hostname.isEmpty)
    }
}
