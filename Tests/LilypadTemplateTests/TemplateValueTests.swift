import Foundation
import Testing

@testable import LilypadTemplate

/// JSON decoding with Go's rules, and the fmt and strconv pieces underneath.
@Suite("Template values and formatting")
struct TemplateValueTests {
    @Test func decodesJSONLikeGo() throws {
        let value = try TemplateValue(json: Data(#"{"a":1,"a":2,"s":"\ud83d\ude00\ud800","n":null,"l":[true,-0.5]}"#.utf8))
        #expect(value == ["a": 2, "s": "😀\u{FFFD}", "n": nil, "l": [true, -0.5]])
    }

    @Test(arguments: ["{", "[1,]", #"{"a":1,}"#, "1e400", "01", "\"\u{1}\"", "nul", "[1] 2"])
    func refusesWhatGoRefuses(json: String) {
        #expect(throws: TemplateValue.DecodingError.self) { try TemplateValue(json: Data(json.utf8)) }
    }

    @Test func refusesNestingDeeperThanGo() {
        let deep = String(repeating: "[", count: 10_001) + String(repeating: "]", count: 10_001)
        #expect(throws: TemplateValue.DecodingError.self) { try TemplateValue(json: Data(deep.utf8)) }
        let allowed = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect((try? TemplateValue(json: Data(allowed.utf8))) != nil)
    }

    @Test(arguments: [
        (
            "%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U",
            [GoData.int(42), .int(42), .int(42), .int(42), .int(255), .int(255), .int(8), .int(5), .int(65), .int(65), .int(65)],
            "42|   42|42   |00042|ff|FF|10|101|A|'A'|U+0041"
        ),
        (
            "%s|%q|%x|% x|%10s|%.2s",
            [
                .string(Array("hi".utf8)), .string(Array("hi\n".utf8)), .string(Array("hi".utf8)), .string(Array("hi".utf8)),
                .string(Array("hi".utf8)), .string(Array("héllo".utf8)),
            ], #"hi|"hi\n"|6869|68 69|        hi|hé"#
        ),
        (
            "%e|%f|%g|%.2f|%8.3f|%+.1e",
            [.float64(1234.5678), .float64(1234.5678), .float64(1234.5678), .float64(2.675), .float64(3.14159), .float64(-1.25)],
            "1.234568e+03|1234.567800|1234.5678|2.67|   3.142|-1.2e+00"
        ),
        ("%d|%s|%d %d|%!|%z", [.string(Array("hi".utf8)), nil, .int(1)], "%!d(string=hi)|%!s(<nil>)|1 %!d(MISSING)|%!!(MISSING)|%!z(MISSING)"),
        ("x", [.int(1), .string(Array("a".utf8))], "x%!(EXTRA int=1, string=a)"),
        ("%[2]d %[1]d|%*d|%.*f", [.int(1), .int(2), .int(3), .int(4), .int(2), .float64(3.14159)], "2 1| 3|%!f(int=0002)"),
    ])
    func sprintfMatchesGo(format: String, arguments: [GoData?], expected: String) {
        #expect(GoUTF8.string(GoFormat.sprintf(Array(format.utf8), arguments)) == expected)
    }

    @Test func floatsRoundHalfToEvenOnTheExactBinaryValue() {
        let format = "%.0f %.0f %.0f %.1f %.2f %.20f"
        let arguments: [GoData?] = [.float64(0.5), .float64(1.5), .float64(2.5), .float64(0.05), .float64(1.005), .float64(0.1)]
        #expect(GoUTF8.string(GoFormat.sprintf(Array(format.utf8), arguments)) == "0 2 2 0.1 1.00 0.10000000000000000555")
    }

    @Test func jsonSlicesHaveGoCapacities() {
        #expect((0...6).map { GoSlice(decoded: Array(repeating: nil, count: $0)).capacity } == [0, 1, 2, 4, 4, 8, 8])
        #expect(GoSlice(decoded: Array(repeating: nil, count: 65)).capacity == 71)
    }
}
