import SWIM
import Testing

@Suite struct SWIMSettingsTests {
    @Test func defaultsMatchMemberlistsLANProfile() throws {
        let lan = SWIMSettings.lan
        #expect(lan.probeInterval == .seconds(1))
        #expect(lan.probeTimeout == .milliseconds(500))
        #expect(lan.indirectChecks == 3)
        #expect(lan.suspicionMultiplier == 4)
        #expect(lan.retransmitMultiplier == 4)
        #expect(lan.awarenessMaxMultiplier == 8)
        #expect(lan.gossipInterval == .milliseconds(200))
        #expect(lan.gossipNodes == 3)
        #expect(lan.pushPullInterval == .seconds(30))
        try lan.validate()
        try SWIMSettings.lanFast.validate()
        #expect(SWIMSettings.lanFast.probeInterval == .milliseconds(100))
    }
}
