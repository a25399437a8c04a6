import ClusterModel
import Testing

@testable import Scheduler

@Suite struct FeasibilityCheckerTests {
    let node = Fixture.node(
        "worker-1",
        attributes: [
            "kernel.name": "linux", "kernel.version": "5.15.0-91-generic", "cpu.numcores": "8",
            "os.version": "12.4", "unique.hostname": "worker-1", "tags": "ssd, gpu,fast",
        ],
        meta: ["rack": "r1"])

    func holds(_ left: String, _ op: String, _ right: String = "") -> Bool {
        var checker = FeasibilityChecker()
        return checker.holds(Constraint(leftTarget: left, rightTarget: right, operand: op), on: node)
    }

    @Test func equalityMatchesAttributesAndAnAbsentAttributeNeverEquals() {
        #expect(holds("${attr.kernel.name}", "=", "linux"))
        #expect(holds("${attr.kernel.name}", "==", "linux"))
        #expect(holds("${attr.kernel.name}", "is", "linux"))
        #expect(!holds("${attr.kernel.name}", "=", "windows"))
        #expect(!holds("${attr.nope}", "=", "linux"))
    }

    @Test func inequalityHoldsForADifferentOrAbsentValue() {
        #expect(holds("${attr.kernel.name}", "!=", "windows"))
        #expect(holds("${attr.nope}", "not", "linux"))
        #expect(!holds("${attr.kernel.name}", "!=", "linux"))
    }

    @Test func orderingComparesNumbersThenVersionsThenText() {
        #expect(holds("${attr.cpu.numcores}", ">", "4"))
        #expect(holds("${attr.cpu.numcores}", "<", "10"))
        // Lexically "8" > "10"; numerically it is not.
        #expect(holds("${attr.cpu.numcores}", "<=", "10"))
        #expect(holds("${attr.os.version}", ">=", "12.3"))
        #expect(holds("${attr.kernel.version}", ">", "5.4.0"))
        #expect(holds("${attr.kernel.version}", "<", "5.16"))
        #expect(holds("${attr.kernel.name}", ">", "abc"))
        #expect(!holds("${attr.nope}", ">", "1"))
    }

    @Test func versionRequirementsAcceptRangesAndThePessimisticOperator() {
        #expect(holds("${attr.os.version}", "version", ">= 12.0, < 13"))
        #expect(!holds("${attr.os.version}", "version", "> 12.4"))
        #expect(holds("${attr.os.version}", "version", "~> 12.1"))
        #expect(holds("1.4.7", "version", "~> 1.4.2"))
        #expect(!holds("1.5.0", "version", "~> 1.4.2"))
        #expect(!holds("${attr.os.version}", "version", "not a version"))
    }

    @Test func semverIsStrictAndOrdersPreReleasesBeforeTheRelease() {
        #expect(holds("1.2.3", "semver", ">= 1.2.0"))
        #expect(!holds("1.2", "semver", ">= 1.0.0"))
        #expect(holds("2.0.0-rc.1", "semver", "< 2.0.0"))
        #expect(holds("2.0.0-rc.2", "semver", "> 2.0.0-rc.1"))
        #expect(holds("2.0.0-rc.10", "semver", "> 2.0.0-rc.9"))
    }

    @Test func regexpMatchesAnywhereAndABadPatternFiltersInsteadOfCrashing() {
        #expect(holds("${attr.kernel.version}", "regexp", "^5\\.15"))
        #expect(holds("${attr.unique.hostname}", "regexp", "worker-[0-9]+"))
        #expect(!holds("${attr.kernel.version}", "regexp", "^6"))
        #expect(!holds("${attr.kernel.version}", "regexp", "(unclosed"))
    }

    @Test func setOperatorsSplitOnCommas() {
        #expect(holds("${attr.tags}", "set_contains", "gpu,ssd"))
        #expect(!holds("${attr.tags}", "set_contains", "gpu,nvme"))
        #expect(holds("${attr.tags}", "set_contains_any", "nvme, fast"))
        #expect(!holds("${attr.tags}", "set_contains_any", "nvme"))
    }

    @Test func isSetAndIsNotSetLookAtPresenceOnly() {
        #expect(holds("${meta.rack}", "is_set"))
        #expect(!holds("${meta.zone}", "is_set"))
        #expect(holds("${meta.zone}", "is_not_set"))
    }

    @Test func nodeTargetsReadTheNodesOwnFields() {
        #expect(holds("${node.unique.name}", "=", "worker-1"))
        #expect(holds("${node.datacenter}", "=", "dc1"))
        #expect(holds("${node.class}", "=", ""))
        #expect(holds("${node.unique.id}", "=", node.id.uuid))
    }

    @Test func anUnknownOperatorPlacesNowhere() {
        #expect(!holds("${attr.kernel.name}", "resembles", "linux"))
    }

    @Test func datacenterPatternsUseStarAsAWildcard() {
        #expect(datacenter("dc1", matches: "*"))
        #expect(datacenter("dc1", matches: "dc*"))
        #expect(datacenter("eu-west-1", matches: "eu-*-1"))
        #expect(!datacenter("us-east-1", matches: "eu-*"))
        #expect(!datacenter("dc10", matches: "dc1"))
    }

    @Test func driversMustBeDetectedAndHealthyAndDockerMeansOCI() {
        var sick = node
        sick.drivers["oci"] = DriverHealth(detected: true, healthy: false)
        #expect(FeasibilityChecker.driverRejection("raw_exec", on: node) == nil)
        #expect(FeasibilityChecker.driverRejection("oci", on: node) == "missing driver \"oci\"")
        #expect(FeasibilityChecker.driverRejection("oci", on: sick) == "unhealthy driver \"oci\"")
        var healthy = node
        healthy.drivers["oci"] = DriverHealth(detected: true, healthy: true)
        #expect(FeasibilityChecker.driverRejection("docker", on: healthy) == nil)
    }
}
