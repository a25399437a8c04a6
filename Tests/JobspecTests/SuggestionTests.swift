@testable import Jobspec
import Testing

@Suite struct SuggestionTests {
    @Test func typoGetsTheClosestName() {
        #expect(Suggestion.closest(to: "nterval", among: ["interval", "timeout", "name"]) == "interval")
        #expect(Suggestion.closest(to: "intreval", among: ["interval", "timeout"]) == "interval")
    }

    @Test func unrelatedNameGetsNoSuggestion() {
        #expect(Suggestion.closest(to: "bad", among: ["source", "destination", "mode", "options"]) == nil)
    }

    @Test func wholeNumbersPrintWithoutAFraction() {
        #expect(NumberFormatting.string(from: 1) == "1")
        #expect(NumberFormatting.string(from: -21_474_836_470) == "-21474836470")
        #expect(NumberFormatting.string(from: 3.2) == "3.2")
    }
}
