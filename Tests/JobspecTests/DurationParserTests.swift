import Testing

@testable import Jobspec

@Suite struct DurationParserTests {
    private func parsed(_ text: String) -> Duration? {
        try? DurationParser.parse(text).get()
    }

    private func reason(_ text: String) -> String? {
        if case .failure(let failure) = DurationParser.parse(text) { return failure.reason }
        return nil
    }

    @Test func singleUnitsReadAsGoReadsThem() {
        #expect(parsed("10s") == .seconds(10))
        #expect(parsed("10m") == .seconds(600))
        #expect(parsed("2h") == .seconds(7200))
        #expect(parsed("500ms") == .milliseconds(500))
        #expect(parsed("2us") == .microseconds(2))
        #expect(parsed("7ns") == .nanoseconds(7))
    }

    @Test func bothMicroSignsAreAccepted() {
        #expect(parsed("2\u{00B5}s") == .microseconds(2))
        #expect(parsed("2\u{03BC}s") == .microseconds(2))
    }

    @Test func unitsCombineAndFractionsScale() {
        #expect(parsed("1h30m") == .seconds(5400))
        #expect(parsed("1h0m30s") == .seconds(3630))
        #expect(parsed("1.5h") == .seconds(5400))
        #expect(parsed(".5s") == .milliseconds(500))
        #expect(parsed("1.s") == .seconds(1))
        #expect(parsed("0.000000001s") == .nanoseconds(1))
        #expect(parsed("1m1.5s") == .milliseconds(61_500))
    }

    @Test func aBareZeroNeedsNoUnit() {
        #expect(parsed("0") == .zero)
        #expect(parsed("-0") == .zero)
        #expect(parsed("0s") == .zero)
    }

    @Test func signsAreAllowedInFront() {
        #expect(parsed("+5s") == .seconds(5))
        #expect(parsed("-5s") == .seconds(-5))
    }

    @Test func aNumberWithoutUnitSaysSo() {
        #expect(reason("10") == "a number needs a unit (such as s or m)")
        #expect(reason("1h30") == "a number needs a unit (such as s or m)")
    }

    @Test func anUnknownUnitIsNamed() {
        #expect(reason("10x") == "unknown unit \"x\"")
        #expect(reason("10sec") == "unknown unit \"sec\"")
        #expect(reason("1d") == "unknown unit \"d\"")
    }

    @Test func textWithoutANumberIsRefused() {
        #expect(reason("") == "it is empty")
        #expect(reason("s") != nil)
        #expect(reason("-") != nil)
        #expect(reason("1h 30m") == "unknown unit \"h \"")
        #expect(reason("..5s") != nil)
    }

    @Test func durationsBeyondGosLimitAreRefusedNotWrapped() {
        #expect(reason("2562048h") == "it is too long (the limit is about 292 years)")
        #expect(reason("99999999999999999999s") == "it is too long (the limit is about 292 years)")
        #expect(parsed("2562047h") == .seconds(2_562_047 * 3600))
        #expect(parsed("-9223372036854775808ns") == .nanoseconds(Int64.min))
        #expect(reason("9223372036854775808ns") != nil)
    }

    @Test func nanosecondsOfADurationAreWholeAndClamped() {
        #expect(DurationParser.nanoseconds(of: .seconds(600)) == 600_000_000_000)
        #expect(DurationParser.nanoseconds(of: .milliseconds(-3)) == -3_000_000)
        #expect(DurationParser.nanoseconds(of: .seconds(Int64.max)) == Int64.max)
    }
}
