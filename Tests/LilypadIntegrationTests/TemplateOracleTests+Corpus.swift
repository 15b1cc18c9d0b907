import LilypadTemplate

/// The hand-written corpus: every feature of text/template, its error cases, and every template shape
/// used by real Lilypad modules with ordinary and hostile inputs.
extension TemplateOracleTests {
    static var handWritten: [Case] {
        let plain: [(String, String)] = lexing + actions + printing + control + functions + comparisons + formatting + errors + data
        return plain.map { Case(template: $0.0, data: $0.1) } + named
    }

    /// Text, delimiters, trim markers, comments and literals.
    static let lexing: [(String, String)] = [
        ("plain text only", "{}"),
        ("", "{}"),
        ("hello {{- \" x \" -}} world", "{}"),
        ("a  {{- /* c */ -}}  b", "{}"),
        ("a {{/* c */}} b", "{}"),
        ("a\n\t {{- 1}}\n", "{}"),
        ("{{1 -}} \n\t b", "{}"),
        ("x {{- /* a\nmultiline comment */}} y", "{}"),
        ("{{-3}}", "{}"),
        ("{{- 3}}", "{}"),
        ("{{3 -}}", "{}"),
        ("{{3-}}", "{}"),
        ("{{ 3 }}", "{}"),
        ("{{\t3\n}}", "{}"),
        ("a}}b{c", "{}"),
        ("{{\"}}\"}}", "{}"),
        ("{{`{{`}}", "{}"),
        (#"{{"\a\b\f\n\r\t\v\\\"\x41\101\u00e9\U0001F438"}}"#, "{}"),
        ("{{`raw\\n with \"quotes\" and\r carriage`}}", "{}"),
        ("{{'a'}} {{'\\n'}} {{'é'}} {{'\\x41'}} {{'\\u00e9'}} {{'\\''}} {{'\"'}}", "{}"),
        ("{{0x1F}} {{0X1f}} {{0o17}} {{0b101}} {{017}} {{1_000}} {{0x_1F}}", "{}"),
        ("{{1.5e3}} {{0x1p-2}} {{.5}} {{5.}} {{1E2}} {{1_0.5}} {{0x1.8p1}}", "{}"),
        ("{{9223372036854775807}} {{-9223372036854775808}}", "{}"),
        ("{{-0}} {{+5}} {{-5.0}} {{+0x10}} {{-0x10}} {{0x1e}} {{-0x1e}}", "{}"),
        ("{{1e21}} {{1e20}} {{123456789.0}} {{0.000001}} {{0.0001}} {{0.00001}} {{100000.0}} {{1e6}}", "{}"),
        ("{{1+2i}} {{2i}} {{0i}} {{1.5-0.5i}} {{0x10i}}", "{}"),
        ("{{0x1p4+1i}} {{1+.5i}} {{1_0+2i}} {{1e+2i}} {{1+0x1p1i}} {{1.5e300+1i}} {{1_000.5+1_0i}}", "{}"),
        ("{{-+i}}", "{}"),
        ("{{1e999+1i}}", "{}"),
        ("{{0x10+0x1.8p1i}}", "{}"),
        ("{{0b1+1i}}", "{}"),
        ("{{1i+2i}}", "{}"),
        ("{{0.}} {{.0}} {{1e}}", "{}"),
        (#"{{'\U0010FFFF' | printf "%q"}}"#, "{}"),
        (#"{{'\400'}}"#, "{}"),
        (#"{{"\ud800"}}"#, "{}"),
        ("{{true}} {{false}}", "{}"),
        ("{{printf \"%T %T %T %T %T\" 1 1.0 'a' 0x10 1e2}}", "{}"),
        ("{{.é}} {{.中文}} {{.a_b}} {{.a1}}", #"{"é":1,"中文":2,"a_b":3,"a1":4}"#),
        ("{{.café}} {{index . \"my-key\"}}", #"{"café":1,"my-key":2}"#),
        ("{{.Name}}{{.name}}", #"{"Name":"N"}"#),
        ("{{ . }}", #""spaces""#),
        ("line1\nline2 {{.a}}\r\nline3", #"{"a":1}"#),
        ("a\r\nb\r\n{{.a.b}}", #"{"a":1}"#),
        ("{{`a\nb` | printf \"%d\"}}\n{{.a.b}}", #"{"a":1}"#),
        ("{{/**/}}x{{/**/ -}}  y", "{}"),
    ]

    /// Fields, variables, pipelines and parenthesised pipelines.
    static let actions: [(String, String)] = [
        ("{{.a}}", #"{"a":null}"#),
        ("{{print .a}}", #"{"a":null}"#),
        ("{{.missing}}", "{}"),
        ("{{print .missing}}", "{}"),
        ("{{.a.b}}", #"{"a":null}"#),
        ("{{.m.b}}", "{}"),
        ("{{.a.b}}", #"{"a":"s"}"#),
        ("{{.a.b.c}}", #"{"a":{"b":{"c":[1,2]}}}"#),
        ("{{.a.b}}", #"{"a":{"c":1}}"#),
        ("{{.a.b}}", #"{"a":[1]}"#),
        ("{{$x := .a}}{{$x.b}}", #"{"a":"s"}"#),
        ("{{$x := .a}}{{$x.b}}", #"{"a":{"b":"B"}}"#),
        ("{{.}}", "null"),
        ("{{.}}", #""str""#),
        ("{{.}}", "[1,2,3]"),
        ("{{.}}", #"{"b":1,"a":{"c":[true,null]}}"#),
        ("{{.x}}", "null"),
        ("{{.x}}", "5"),
        ("{{$}} {{$.a}}", #"{"a":1}"#),
        ("{{$x := 1}}{{$x = 2}}{{$x}}", "{}"),
        ("{{$x = 2}}", "{}"),
        ("{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", "{}"),
        ("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "{}"),
        ("{{if true}}{{$y := 1}}{{end}}{{$y}}", "{}"),
        ("{{if .a}}{{$y := 1}}{{else}}{{$y}}{{end}}", #"{"a":false}"#),
        ("{{with $x := 1}}{{$x}}{{end}}{{$x}}", "{}"),
        ("{{range $x := .}}{{end}}{{$x}}", "[1]"),
        ("{{$x := .}}{{range $x}}{{$x}}{{end}}", "[1,2]"),
        ("{{$x := .a}}{{$x}}", #"{"a":[1,2]}"#),
        ("{{$a, $b := 1}}", "{}"),
        ("{{$x := 1 | print}}{{$x}}", "{}"),
        ("{{(.a).b}}", #"{"a":{"b":3}}"#),
        ("{{(index . \"a\").b}}", #"{"a":{"b":3}}"#),
        ("{{(1).x}}", "{}"),
        ("{{(.a.b)}}", #"{"a":{"b":3}}"#),
        ("{{.a | printf \"%v!\"}}", #"{"a":1}"#),
        ("{{\"x\" | printf \"%s-%s\" \"y\"}}", "{}"),
        ("{{(printf \"%d\" 1) | printf \"%s-%s\" \"x\"}}", "{}"),
        ("{{ .a | len | printf \"%d\" }}", #"{"a":"xyz"}"#),
        ("{{.a | .b}}", "{}"),
        ("{{.a | .b}}", #"{"a":1,"b":{}}"#),
        ("{{1 | 2}}", "{}"),
        ("{{.a 1}}", #"{"a":1}"#),
        ("{{$ 1}}", "{}"),
        ("{{\"s\" 1}}", "{}"),
        ("{{\"a\" \"b\"}}", "{}"),
        ("{{(1) 2}}", "{}"),
        ("{{.x | (1)}}", #"{"x":1}"#),
        ("{{nil}}", "{}"),
        ("{{.a nil}}", "{}"),
        ("{{print.a}}", "{}"),
        ("{{len.a}}", "{}"),
        ("{{$.a.b}}", #"{"a":{"b":"deep"}}"#),
        ("{{.a}}{{.a.b}}", #"{"a":{"b":1}}"#),
        ("{{.a}}}", #"{"a":1}"#),
        ("{{range .}}{{$.a}}{{end}}", "[1]"),
    ]

    /// How values print: floats, containers, nil.
    static let printing: [(String, String)] = [
        ("{{.x}} {{.y}} {{.z}} {{.w}}", #"{"x":0.1,"y":1e-7,"z":-0.0,"w":3.14159265358979}"#),
        ("{{.a}} {{.b}} {{.c}} {{.d}} {{.e}} {{.f}}", #"{"a":1000000,"b":100000,"c":123456,"d":1234567,"e":1e21,"f":1e20}"#),
        ("{{.a}} {{.b}} {{.c}} {{.d}}", #"{"a":12345678901234567890,"b":5e-324,"c":1.7976931348623157e308,"d":0.000123}"#),
        ("{{.a}} {{.b}} {{.c}}", #"{"a":2.5e-5,"b":99999.99,"c":-0.00001}"#),
        ("{{.}}", #"{"z":1,"a":[1,"two",null,false,{"k":"v"}],"m":{}}"#),
        ("{{.}}", #"[[],{},[[]],"",null]"#),
        ("{{print .}}", #"{"é":1,"e":2,"E":3,"_":4,"":5}"#),
        ("{{.a}}", #"{"a":"line\nbreak\ttab"}"#),
        ("{{.a}}", #"{"a":"\u00e9\ud83d\ude00\ud800x"}"#),
        ("{{.a}} {{.a}}", #"{"a":1,"a":2}"#),
        ("{{println .a .b}}", #"{"a":[1],"b":{"c":"d"}}"#),
        ("{{print 1 2 \"a\" \"b\" 3 nil 4}} {{println 1 \"a\" nil}}", "{}"),
        ("{{print}}|{{println}}|", "{}"),
        ("{{print .a .b}}", #"{"a":"x","b":1}"#),
        ("{{print nil nil}} {{print \"\" \"\"}}", "{}"),
        ("{{range .}}{{.}}{{end}}", #"{"b":[1],"a":null}"#),
        ("{{define \"a\"}}{{.}}{{end}}{{range .}}{{template \"a\" .}}{{end}}", #"[1,[2],{"k":null}]"#),
        ("{{printf \"%T %T %T\" (index \"a\" 0) (slice . 0) .}} {{printf \"%T\" (len .)}}", "[]"),
        ("{{printf \"%v\" (index . 0)}} {{printf \"%d\" (index . 0)}}", "[null]"),
    ]

    /// if, else if, with, else with, range, break, continue, define, template, block.
    static let control: [(String, String)] = [
        ("{{if .a}}yes{{end}}", #"{"a":1}"#),
        ("{{if .a}}yes{{else}}no{{end}}", #"{"a":0}"#),
        ("{{if .a}}yes{{else}}no{{end}}", #"{"a":""}"#),
        ("{{if .a}}yes{{else}}no{{end}}", #"{"a":[]}"#),
        ("{{if .a}}yes{{else}}no{{end}}", #"{"a":{}}"#),
        ("{{if .a}}yes{{else}}no{{end}}", #"{"a":null}"#),
        ("{{if .a}}yes{{else}}no{{end}}", #"{"a":"0"}"#),
        ("{{if .a}}yes{{else}}no{{end}}", #"{"a":-0.0}"#),
        ("{{if .a}}yes{{else}}no{{end}}", #"{"a":[null]}"#),
        ("{{if .a}}A{{else if .b}}B{{else}}C{{end}}", #"{"b":0}"#),
        ("{{if .a}}A{{else if .b}}B{{else}}C{{end}}", #"{"b":1}"#),
        ("{{if .a}}A{{else if .b}}B{{else if .c}}C{{end}}", #"{"c":1}"#),
        ("{{if .a}}A{{else with .b}}B{{end}}", #"{"b":1}"#),
        ("{{if 0i}}a{{else}}b{{end}} {{if 1i}}a{{end}}", "{}"),
        ("{{if $x := 1}}{{end}}{{$x}}", "{}"),
        ("{{with .a}}{{.}}{{else}}none{{end}}", #"{"a":"x"}"#),
        ("{{with .a}}{{.}}{{else}}none{{end}}", #"{"a":""}"#),
        ("{{with .a}}{{.b}}{{end}}", #"{"a":{"b":"in"}}"#),
        ("{{with .a}}{{.}}{{else with .b}}b={{.}}{{else}}none{{end}}", #"{"b":5}"#),
        ("{{with .a}}{{.}}{{else with .b}}b={{.}}{{else}}none{{end}}", "{}"),
        ("{{with $x := .a}}{{$x}}{{.}}{{end}}", #"{"a":"v"}"#),
        ("{{with .a}}{{$}}{{end}}", #"{"a":"v"}"#),
        ("{{range .}}{{.}},{{end}}", #"[1,"a",null,true,{"k":"v"}]"#),
        ("{{range $i, $e := .}}{{$i}}={{$e}};{{end}}", #"["a","b"]"#),
        ("{{range $k, $v := .}}{{$k}}={{$v}};{{end}}", #"{"b":2,"a":1,"c":3,"B":4,"é":5}"#),
        ("{{range $e := .}}{{$e}}{{end}}", "[1,2]"),
        ("{{range $i, $e := .}}{{$i}}{{end}}{{$i}}", "[1]"),
        ("{{range $i, $c := \"abc\"}}{{end}}", "{}"),
        ("{{range .}}x{{else}}empty{{end}}", "[]"),
        ("{{range .}}x{{else}}empty{{end}}", "{}"),
        ("{{range .}}x{{else}}empty{{end}}", "null"),
        ("{{range .x}}x{{else}}empty{{end}}", "{}"),
        ("{{range .}}x{{end}}", #""abc""#),
        ("{{range .}}x{{end}}", "3"),
        ("{{range 5}}x{{end}}", "{}"),
        ("{{range true}}x{{end}}", "{}"),
        ("{{range .}}{{.}}{{end}}", "[[1,2],[3]]"),
        ("{{range .}}{{range .}}{{.}}{{end}};{{end}}", "[[1,2],[3]]"),
        ("{{range $i, $e := .}}{{range $j, $f := $e}}{{$i}}{{$j}}{{$f}} {{end}}{{end}}", "[[1,2],[3]]"),
        ("{{range .}}{{if eq . 2.0}}{{break}}{{end}}{{.}}{{end}}", "[1,2,3]"),
        ("{{range .}}{{if eq . 2.0}}{{continue}}{{end}}{{.}}{{end}}", "[1,2,3]"),
        ("{{range .}}{{range .}}{{break}}{{end}}{{.}}{{end}}", "[[1],[2]]"),
        ("{{range .}}{{with .}}{{continue}}{{end}}x{{end}}", "[1,0,2]"),
        ("{{range $x = .}}{{end}}", "[1]"),
        ("{{$x := 0}}{{range $x = .}}{{end}}{{$x}}", "[1,2]"),
        ("{{$i := 0}}{{$e := 0}}{{range $i, $e = .}}{{end}}{{$i}}{{$e}}", #"["a","b"]"#),
        ("{{range $i, $e, $f := .}}{{end}}", "[1]"),
        ("{{range $i, 5}}{{end}}", "[1]"),
        ("{{range .a}}{{$}}{{end}}", #"{"a":[1]}"#),
        ("{{define \"x\"}}X{{.}}{{end}}{{template \"x\" 5}}", "{}"),
        ("{{define \"x\"}}X{{.}}{{end}}{{template \"x\"}}", "{}"),
        ("{{define \"x\"}}{{$}}{{end}}{{template \"x\" .a}}", #"{"a":"A"}"#),
        ("{{template \"nope\"}}", "{}"),
        ("{{block \"b\" .}}B{{.}}{{end}}|{{template \"b\" 2}}", "1"),
        ("{{define \"t\"}}T{{end}}", "{}"),
        ("{{define \"a\"}}A{{end}}{{define \"b\"}}{{template \"a\"}}B{{end}}{{template \"b\"}}", "{}"),
        ("{{define \"a\"}}A{{end}}{{define \"a\"}}B{{end}}", "{}"),
        ("{{define \"a\"}} {{end}}{{define \"a\"}}B{{end}}{{template \"a\"}}", "{}"),
        ("{{define \"a\"}}A{{end}}{{define \"a\"}}  {{end}}{{template \"a\"}}", "{}"),
        ("{{define `raw`}}R{{end}}{{template `raw`}}", "{}"),
        ("{{define \"r\"}}{{if .}}{{len .}}{{template \"r\" (slice . 1)}}{{end}}{{end}}{{template \"r\" .}}", "[1,2,3]"),
        ("{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}", "{}"),
        ("{{$x := 1}}{{define \"v\"}}{{$x}}{{end}}", "{}"),
        ("{{template \"x\" $y := 1}}{{$y}}", "{}"),
        ("{{range .}}{{template \"i\" .}}{{end}}{{define \"i\"}}<{{.}}>{{end}}", "[1,2]"),
        ("{{range .}}{{define \"x\"}}{{end}}{{end}}", "[1]"),
        ("{{if 1}}{{define \"x\"}}{{end}}{{end}}", "{}"),
        ("{{block \"b\" .}}{{else}}{{end}}", "{}"),
        ("{{define \"d\"}}{{else}}{{end}}", "{}"),
    ]

    /// The builtins: and, or, not, len, index, slice, print*, html, js, urlquery, call.
    static let functions: [(String, String)] = [
        ("{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" 3}} {{or 0 \"\"}} {{not 0}} {{not \"a\"}} {{not nil}}", "{}"),
        ("{{and}}", "{}"),
        ("{{or}}", "{}"),
        ("{{and .x .y}}|{{or .x .y}}", "{}"),
        ("{{and 1 .x}}|{{or 0 .x}}", #"{"x":null}"#),
        ("{{0 | and 1}} {{1 | or 0}} {{1 | and 2}} {{0 | or 0}} {{\"a\" | and}}", "{}"),
        ("{{and 0 (index 1 1)}} {{or 1 (index 1 1)}}", "{}"),
        ("{{and 1 (index 1 1)}}", "{}"),
        ("{{and 1 \"\" (index 1 2)}} {{or 0 \"x\" (index 1 2)}}", "{}"),
        ("{{not}}", "{}"),
        ("{{not 1 2}}", "{}"),
        ("{{not .a.b}}", "{}"),
        ("{{not .a.b}}", #"{"a":null}"#),
        ("{{len \"héllo\"}} {{len .}} {{len .}}", "[1,2]"),
        ("{{len .m}} {{len .s}}", #"{"m":{"a":1,"b":2},"s":""}"#),
        ("{{len 3}}", "{}"),
        ("{{len nil}}", "{}"),
        ("{{len .a}}", #"{"a":null}"#),
        ("{{len .m}}", "{}"),
        ("{{index . 1}} {{index . 0 \"a\"}}", #"[{"a":"A"},"b"]"#),
        ("{{index . 5}}", "[1]"),
        ("{{index . 1}}", "[1]"),
        ("{{index . -1}}", "[1]"),
        ("{{index . \"a\"}}", "[1]"),
        ("{{index . 1.0}}", "[1]"),
        ("{{index . nil}}", "[1]"),
        ("{{index .m \"x\"}} {{index .m \"y\"}}", #"{"m":{"x":1}}"#),
        ("{{index .m 1}}", #"{"m":{"x":1}}"#),
        ("{{index .m nil}}", #"{"m":{"x":1}}"#),
        ("{{index nil 1}}", "{}"),
        ("{{index 1 1}}", "{}"),
        ("{{index .}}", "[1]"),
        ("{{index \"abc\" 1}} {{index \"héllo\" 1}}", "{}"),
        ("{{index \"abc\" 3}}", "{}"),
        ("{{index . 0 0 0}}", "[[[7]]]"),
        ("{{index . 0 1}}", "[[null]]"),
        ("{{index . 0 0}}", "[null]"),
        ("{{index .a .i}}", #"{"a":[1],"i":0}"#),
        ("{{$i := len .}}{{index . (len (slice . 1))}}", "[1,2,3]"),
        ("{{range $i, $e := .}}{{index $ $i}}{{end}}", #"["x","y"]"#),
        ("{{index (slice . 1) 0}}", "[1,2]"),
        ("{{slice \"hello\" 1 3}} {{slice \"hello\" 2}} {{slice \"hello\"}} {{slice \"héllo\" 1 2 | printf \"%q\"}}", "{}"),
        ("{{slice . 1 2}} {{slice . 0 3 3}}", "[1,2,3]"),
        ("{{print (slice .) (slice . 1 1)}} {{len (slice . 0 0)}}", "[]"),
        ("{{slice . 0 4}}", "[1,2,3]"),
        ("{{slice . 0 5}}", "[1,2,3]"),
        ("{{slice . 4}}", "[1,2,3]"),
        ("{{slice (slice . 0 1) 0 3}}", "[1,2,3]"),
        ("{{slice (slice . 0 1 1) 0 2}}", "[1,2,3]"),
        ("{{slice . 0 2 1}}", "[1,2,3]"),
        ("{{slice . 0 64}}|{{slice . 0 71}}", "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33]"),
        ("{{slice . 0 72}}", "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33]"),
        ("{{slice . 2 1}}", "[1,2,3]"),
        ("{{slice \"abc\" 0 1 2}}", "{}"),
        ("{{slice \"abc\" 0 4}}", "{}"),
        ("{{slice 5 1}}", "{}"),
        ("{{slice nil}}", "{}"),
        ("{{slice . 0 1 2 3}}", "[1,2,3]"),
        ("{{slice . .i}}", #"{"i":1}"#),
        ("{{slice .s .i}}", #"{"s":[1],"i":0}"#),
        ("{{html \"<a href='x'>&\\\"</a>\"}} {{js \"<a href='x'>&\\\"=\\\\\\n\\t</a>é\\u2028\"}} {{urlquery \"a b&c=d/é~-_.\"}}", "{}"),
        ("{{html .}} {{js .}} {{urlquery .}}", #"[1,"<>"]"#),
        ("{{html 1 nil 2}} {{js nil}} {{urlquery}} {{html}}", "{}"),
        ("{{html \"a\" \"b\"}} {{js 1 2}} {{urlquery \"a\" 1 \"b\"}} {{html \"a\" 1 2 \"b\"}} {{print \"a\" 1 2 \"b\"}}", "{}"),
        ("{{js \"\\u0000\\u001f\\u007f\\u0080\\u00ad\\ufeff\\U0001F438\"}}", "{}"),
        ("{{html \"\\u0000\"}} {{urlquery \"~!*()'\"}}", "{}"),
        ("{{js .}}", #"{"a":"'"}"#),
        ("{{html .}} {{html .a}}", "null"),
        ("{{js .a}}", #"{"a":null}"#),
        ("{{call .f}}", #"{"f":1}"#),
        ("{{call .f 1}}", "{}"),
        ("{{call}}", "{}"),
        ("{{call nil}}", "{}"),
        ("{{call print}}", "{}"),
        ("{{print | print}}", "{}"),
        ("{{print \"a\" | printf \"%s|%s\" \"b\"}}", "{}"),
        ("{{printf}}", "{}"),
        ("{{printf 1}}", "{}"),
        ("{{printf .f}}", #"{"f":"%d-%s"}"#),
        ("{{printf .f 1 2}}", #"{"f":1}"#),
        ("{{printf nil}}", "{}"),
        ("{{printf .missing}}", "{}"),
        ("{{printf .n}}", #"{"n":null}"#),
        ("{{printf (print \"%\" \"d\") 5}}", "{}"),
        ("{{1 | printf}}", "{}"),
        ("{{\"%d\" | printf}}", "{}"),
    ]

    /// eq, ne, lt, le, gt, ge across kinds.
    static let comparisons: [(String, String)] = [
        ("{{eq 1 1}} {{eq 1 2 1}} {{eq \"a\" \"a\"}} {{eq .a 1.0}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2.5}}", #"{"a":1}"#),
        ("{{eq .a .b}}", #"{"a":"x"}"#),
        ("{{eq .a \"x\"}} {{eq \"x\" .a}}", "{}"),
        ("{{eq .a .a}}", #"{"a":null}"#),
        ("{{ne .missing .missing}}", "{}"),
        ("{{eq 1 .x}}", #"{"x":1}"#),
        ("{{eq 1.0 .x}}", #"{"x":1}"#),
        ("{{eq .x .x}}", #"{"x":[1]}"#),
        ("{{eq .x .y}}", #"{"x":[1],"y":{}}"#),
        ("{{eq .x .y}}", #"{"x":{},"y":{}}"#),
        ("{{eq .x nil}}", #"{"x":{}}"#),
        ("{{eq nil nil}}", "{}"),
        ("{{eq 1 1 \"a\"}} {{eq 1 2 \"a\"}}", "{}"),
        ("{{eq 1 2 \"a\"}}", "{}"),
        ("{{eq 'a' 97}} {{eq (index \"a\" 0) 97}} {{eq 97 (index \"a\" 0)}} {{lt (index \"a\" 0) 98}} {{lt -1 (index \"a\" 0)}}", "{}"),
        ("{{lt (len .) 3}} {{eq (len .) 2 3}}", "[1,2]"),
        ("{{lt 1.0 (len .)}}", "[1]"),
        ("{{eq 1i 1i}} {{eq 2i 0}}", "{}"),
        ("{{lt 1i 2i}}", "{}"),
        ("{{eq true true}} {{ne true false}}", "{}"),
        ("{{lt true false}}", "{}"),
        ("{{lt nil 1}}", "{}"),
        ("{{lt 1 nil}}", "{}"),
        ("{{lt .x .y}}", #"{"x":[1],"y":[2]}"#),
        ("{{lt \"a\" \"b\"}} {{lt \"b\" \"a\"}} {{lt \"é\" \"z\"}} {{lt \"Z\" \"a\"}} {{lt \"\" \"a\"}}", "{}"),
        ("{{lt 1 1.5}}", "{}"),
        ("{{lt .a .b}} {{le .a .b}} {{gt .a .b}} {{ge .a .b}} {{ne .a .b}}", #"{"a":1,"b":1}"#),
        ("{{le 1 \"a\"}}", "{}"),
        ("{{gt 1 \"a\"}}", "{}"),
        ("{{ge 1 \"a\"}}", "{}"),
        ("{{ne 1 \"a\"}}", "{}"),
        ("{{eq}}", "{}"),
        ("{{eq 1}}", "{}"),
        ("{{ne 1}}", "{}"),
        ("{{lt 1 2 3}}", "{}"),
        ("{{eq .e \"e\\u0301\"}} {{eq .p .d}}", #"{"e":"é","p":"é","d":"e\u0301"}"#),
        ("{{if eq .Message \"\\\"hi\\\"\"}}json{{end}}", #"{"Message":"\"hi\""}"#),
    ]

    /// printf's verbs, flags, widths and error forms.
    static let formatting: [(String, String)] = [
        ("{{printf \"%d %5d %-5d| %05d %x %X %o %O %b %c %q %U %#U\"  42 42 42 42 255 255 8 8 5 65 65 65 233}}", "{}"),
        (
            "{{printf \"%s %q %x %X % x %#x %10s %-10s| %.2s %5.1s %q\" \"hi\" \"hi\\n\" \"hi\" \"hi\" \"hi\" \"hi\" \"hi\" \"hi\" \"héllo\" \"héllo\" \"é\\x01\"}}",
            "{}"
        ),
        ("{{printf \"%v %+v %#v %T %t %v\" 1.5 1.5 1.5 1.5 true nil}}", "{}"),
        (
            "{{printf \"%e %E %f %F %g %G %.2f %8.3f %-8.2e| %+.1e % f %08.3f %+08.3f\" 1234.5678 1234.5678 1234.5678 1234.5678 1234.5678 1e-7 2.675 3.14159 1234.5 -1.25 1.0 -3.14159 3.14159}}",
            "{}"
        ),
        ("{{printf \"%b %x %X %#x %.3x %#g %#.3g %#v %#e\" 1.0 1.0 -1.5 1.0 3.0 1.0 2.0 1e21 1.0}}", "{}"),
        (
            "{{printf \"%d\" \"hi\"}} {{printf \"%s\"}} {{printf \"%d %d\" 1}} {{printf \"x\" 1 \"a\"}} {{printf \"%\"}} {{printf \"%z\" 1.0}} {{printf \"%!\"}}",
            "{}"
        ),
        (
            "{{printf \"%[2]d %[1]d\" 1 2}} {{printf \"%[3]d\" 1}} {{printf \"%[x]d\" 1}} {{printf \"%*d|%-*d|%.*f\" 5 1 5 1 2 3.14159}} {{printf \"%*d\" \"a\" 1}}",
            "{}"
        ),
        ("{{printf \"%[1]*d|%.[2]d|%[2]*[1]d|%-*d|%.*d\" 3 4 -5 1 -1 2}}", "{}"),
        ("{{printf \"%[2]d %[1]d|%*d|%.*f\" 1 2 3 4 2 3.14159}}", "{}"),
        ("{{printf \"%v %d %s\" . . .}}", #"{"a":[1,2],"b":"x"}"#),
        ("{{printf \"%5v|%-5v|%05v\" . . .}}", #"[1,"ab"]"#),
        ("{{printf \"%c %c %q %U\" 1114112 -1 1114112 -1}}", "{}"),
        ("{{printf \"%w\" \"x\"}} {{printf \"%w\" .}} {{printf \"%#w\" \"x\"}}", "[1]"),
        ("{{printf \"%p\" \"x\"}} {{printf \"%p\" nil}} {{printf \"%p\" 1}}", "{}"),
        ("{{printf \"%.0f %.0f %.0f %.0f %.1f %.2f %.3f\" 0.5 1.5 2.5 -0.5 0.05 1.005 1.0005}}", "{}"),
        ("{{printf \"%6.2f|%-8.3e|%+d|% d|%x|%X\" 3.14159 1234.5 5 5 -255 -255}}", "{}"),
        ("{{printf \"%#o %#b %#X %08b %.5d %+.3d %x %.0d|%5.0d|\" 8 5 255 5 42 7 \"é\" 0 0}}", "{}"),
        ("{{printf \"%t %t\" 1 \"x\"}}", "{}"),
        ("{{printf \"%.3s|%.10q|%5.2q|%.0s|\" \"abcdef\" \"abcdefghijklmnop\" \"abc\" \"x\"}}", "{}"),
        ("{{printf \"%+q %#q %#q %+q %#+q\" \"é\\x01\" \"abc\" \"a`b\" 233 \"é\"}}", "{}"),
        ("{{printf \"%x %X % X %#X % #x\" \"héllo\" \"\" \"ab\" \"ab\" \"ab\"}}", "{}"),
        ("{{printf \"%08s|%-08s|%08q|%8t\" \"ab\" \"ab\" \"ab\" true}}", "{}"),
        ("{{printf \"%v %v %v %v\" 1e100 1e-100 123456789012.0 0.000000123}}", "{}"),
        ("{{printf \"%.20f|%.30e|%.17g|%.25g\" 0.1 0.1 0.1 1e23}}", "{}"),
        ("{{printf \"%g %G %e %.3g %.10g %g\" 100000.0 1000000.0 0.0 1234567.0 1234567.0 1e-5}}", "{}"),
        ("{{printf \"%#.0f|%#.0e|%#g|%#x|%#.2x|%+x\" 1.0 1.0 0.0 0.0 1.0 1.0}}", "{}"),
        ("{{printf \"%x|%X|%.1x|%b\" 1e-320 3.0 255.0 0.0}}", "{}"),
        ("{{printf \"%v|%+v|%e|%.2f|%g\" 1i 1.5-2i 1i 3i 0i}}", "{}"),
        ("{{printf \"%d|%s\" 1i 1i}}", "{}"),
        ("{{printf \"%010.3f|%-010.3f|%+010.3f|% 010.3f\" -3.14159 3.14159 3.14159 3.14159}}", "{}"),
        ("{{printf \"%3c|%-3c|%03c|%q|%#q|%+q\" 'x' 'y' 'z' '\\n' 'é' '中'}}", "{}"),
        ("{{printf \"%U|%#U|%#08U|%.6U|%#U\" 0x1F438 0x1F438 65 65 10}}", "{}"),
        ("{{printf \"%v\" .}}", #"{"b":[null,{"c":null}],"a":""}"#),
        ("{{printf \"%#v\" .}}", #"{"b":[null,{"c":null}],"a":"q\"","n":1.5}"#),
        ("{{printf \"%+v|%T|%x|%q\" . . . .}}", #"["a",1]"#),
        ("{{printf \"%s %v\" .a .a}} {{printf \"%x %X\" .b .b}}", #"{"a":{"x":[1,{"y":null}]},"b":["ab",1]}"#),
        ("{{printf \"%s\" nil}} {{printf \"%d\" nil}} {{printf \"%T\" nil}} {{printf \"%x\" nil}}", "{}"),
        ("{{printf \"%!%%d%\" 1}}", "{}"),
        ("{{printf \"%é\" 1}} {{printf \"%[1]é\" 1}}", "{}"),
        ("{{printf \"%.\" 1}} {{printf \"%5\" 1}} {{printf \"%-\" 1}} {{printf \"%[1]\" 1}}", "{}"),
        ("{{printf \"%[0]d %[-1]d %[1]d %[99999999999]d\" 1}}", "{}"),
        ("{{printf \"%.*d\" -1 5}} {{printf \"%*d\" 10000000 5}}", "{}"),
        ("{{printf \"%d %d\" (index \"a\" 0) (len \"xy\")}}", "{}"),
        ("{{printf \"%6.2v|%-6v|%+v|%#v\" 3.14159 \"ab\" \"x\" \"y\"}} {{printf \"%5.1q\" \"héllo\"}}", "{}"),
        ("{{printf \"%#q\" \"\\t\"}} {{printf \"%q\" \"\\u00ad\\ufeff\\u200b\"}} {{printf \"%+q\" \"😀\"}}", "{}"),
        ("{{printf \"%x\" -1}} {{printf \"%o\" -8}} {{printf \"%b\" -5}} {{printf \"%#o\" 0}}", "{}"),
        ("{{printf \"%c %q %U\" 0x1F438 0x1F438 0x1F438}}", "{}"),
        ("{{printf \"%v %d %x\" 9223372036854775807 -9223372036854775808 -9223372036854775808}}", "{}"),
        ("{{printf \"%.2d %.0d %5.3d %-5.3d| %05.3d\" 5 0 7 7 7}} {{printf \"% d % d %+d\" 5 -5 0}}", "{}"),
        ("{{printf \"%08.3e|%-12.4G|% .3g\" 1234.5678 0.000012345 -5.0}}", "{}"),
        ("{{printf \"%v\" (slice \"héllo\" 1 2)}}|{{printf \"%q\" (slice \"héllo\" 1 2)}}|{{printf \"%x\" (slice \"héllo\" 1 2)}}", "{}"),
        ("{{printf \"%s\" (slice \"héllo\" 2 3)}}", "{}"),
        ("{{slice \"héllo\" 1 2}}", "{}"),
        ("{{\"\\xff\"}}|{{len \"\\xff\"}}|{{printf \"%q\" \"\\xff\"}}|{{js \"\\xff\"}}|{{html \"\\xff\"}}", "{}"),
    ]

    /// Parse and execution errors.
    static let errors: [(String, String)] = [
        ("{{/* unclosed", "{}"),
        ("{{/* c */ x}}", "{}"),
        ("{{/* c */-}}", "{}"),
        ("{{/* x */ y */}}", "{}"),
        ("{{.a", "{}"),
        ("{{.a\n\n}", "{}"),
        ("a\nb\n{{if}}{{end}}", "{}"),
        ("{{if .a}}x", "{}"),
        ("{{if .a}}x{{else}}y{{else}}z{{end}}", "{}"),
        ("{{range .}}{{else if 1}}{{end}}", "{}"),
        ("{{with .}}{{else if 1}}{{end}}{{end}}", "{}"),
        ("{{end}}", "{}"),
        ("{{else}}", "{}"),
        ("{{else if 1}}", "{}"),
        ("{{foo}}", "{}"),
        ("{{subst \"%s\" \"x\"}}", "{}"),
        ("{{$x}}", "{}"),
        ("\n\n{{$x.a}}", "{}"),
        ("{{\"\\q\"}}", "{}"),
        ("{{`raw", "{}"),
        ("{{\"a\nb\"}}", "{}"),
        ("{{'ab'}}", "{}"),
        ("{{''}}", "{}"),
        ("{{'a}}", "{}"),
        ("{{1__0}}", "{}"),
        ("{{_1}}", "{}"),
        ("{{1_}}", "{}"),
        ("{{0x}}", "{}"),
        ("{{0x1p}}", "{}"),
        ("{{089}}", "{}"),
        ("{{1e400}}", "{}"),
        ("{{1e-400}}", "{}"),
        ("{{0x1.8}}", "{}"),
        ("{{1.2.3}}", "{}"),
        ("{{1a}}", "{}"),
        ("{{0b12}}", "{}"),
        ("{{9223372036854775808}}", "{}"),
        ("{{18446744073709551615}}", "{}"),
        ("{{18446744073709551616}}", "{}"),
        ("{{-}}", "{}"),
        ("{{+}}", "{}"),
        ("{{.}}", "{}"),
        ("{{..a}}", "{}"),
        ("{{.a..b}}", "{}"),
        ("{{1.a}}", "{}"),
        ("{{\"s\".a}}", "{}"),
        ("{{nil.a}}", "{}"),
        ("{{true.a}}", "{}"),
        ("{{$x:=1}}{{$x}}", "{}"),
        ("{{$x:1}}", "{}"),
        ("{{.a.}}", "{}"),
        ("{{a.b}}", "{}"),
        ("{{.a#}}", "{}"),
        ("{{$a#}}", "{}"),
        ("{{print#}}", "{}"),
        ("{{@}}", "{}"),
        ("{{.a ¬}}", "{}"),
        ("{{(1}}", "{}"),
        ("{{1)}}", "{}"),
        ("{{()}}", "{}"),
        ("{{|}}", "{}"),
        ("{{1 |}}", "{}"),
        ("{{| 1}}", "{}"),
        ("{{1 | 2}}", "{}"),
        ("{{print | nil}}", "{}"),
        ("{{print | \"s\"}}", "{}"),
        ("{{print | .}}", "{}"),
        ("{{,}}", "{}"),
        ("{{1,2}}", "{}"),
        ("{{=}}", "{}"),
        ("{{:=}}", "{}"),
        ("{{$x := }}", "{}"),
        ("{{$x := := 1}}", "{}"),
        ("{{$x := 1 2}}", "{}"),
        ("{{if 1}}{{break}}{{end}}", "{}"),
        ("{{range .}}{{break 1}}{{end}}", "[1]"),
        ("{{range .}}{{continue x}}{{end}}", "[1]"),
        ("{{continue}}", "{}"),
        ("{{define}}", "{}"),
        ("{{define \"a\"}}", "{}"),
        ("{{define a}}{{end}}", "{}"),
        ("{{define \"a\" 1}}{{end}}", "{}"),
        ("{{define \"\\q\"}}{{end}}", "{}"),
        ("{{template}}", "{}"),
        ("{{template 1}}", "{}"),
        ("{{template \"\\q\"}}", "{}"),
        ("{{block \"b\"}}{{end}}", "{}"),
        ("{{block}}", "{}"),
        ("{{if 1}}\n{{.a\n}}", "{}"),
        ("{{if 1}}\n\n{{\"unterminated\n}}{{end}}", "{}"),
        ("x\n{{ 1 |\n printf \"%d\" (\n len \"ab\" 3) }}", "{}"),
        ("line1\nline2 {{ .a.b.c }}", #"{"a":{"b":"s"}}"#),
        ("a\n  b {{index . 9}}", "[]"),
        ("{{define \"d\"}}\n\n  {{.x.y}}{{end}}{{template \"d\" .}}", #"{"x":1}"#),
        ("{{$a := 1}}\n{{$a.b}}", "{}"),
        ("{{\"a\" | len | printf \"%d\" | .x}}", "{}"),
        ("{{.a | not | not | .b}}", #"{"a":1}"#),
        ("{{(.a).b.c}}", #"{"a":{"b":1}}"#),
        ("{{(print 1).x}}", "{}"),
        ("{{if .a.b}}{{end}}", #"{"a":null}"#),
        ("{{range .a.b}}{{end}}", #"{"a":3}"#),
        ("{{with $x := .a.b}}{{end}}", #"{"a":[]}"#),
    ]

    /// JSON data edge cases.
    static let data: [(String, String)] = [
        ("{{.}}", "1e400"),
        ("{{.}}", "{"),
        ("{{.}}", #"{"a":1,}"#),
        ("{{.}}", #""\ud800\udc00\udc00""#),
        ("{{.}}", #"" \u0041 \/ \b\f\n\r\t ""#),
        ("{{len .}}", #""\ud83d\ude00""#),
        ("{{.}}", "[1.0, 2.50, -3e2, 0.1e1, 1E+2]"),
        ("{{.}}", "-0.0"),
        ("{{.}}", "true"),
        ("{{.}}", "  [ ]  "),
        ("{{js .}}", #""\u0000\u001f""#),
        ("{{range $k, $v := .}}{{$k}}{{end}}", #"{"b":1,"a":2,"aa":3,"A":4,"":5,"ä":6}"#),
    ]

    /// Cases whose template name matters (errors name it; a definition can replace the main template).
    static var named: [Case] {
        [
            Case(name: "T", template: "{{define \"T\"}}defined{{end}}", data: "{}"),
            Case(name: "T", template: "  {{define \"T\"}}defined{{end}}  ", data: "{}"),
            Case(name: "T", template: "main{{define \"T\"}}defined{{end}}", data: "{}"),
            Case(name: "T", template: "{{template \"T\"}}", data: "{}"),
            Case(name: "my module", template: "ok\n{{.a.b}}", data: #"{"a":1}"#),
            Case(name: "é", template: "{{define \"x\"}}{{.y.z}}{{end}}\n{{template \"x\" .}}", data: #"{"y":"s"}"#),
            Case(name: "", template: "{{.a.b}}", data: #"{"a":1}"#),
            Case(name: "job", template: "{{ if .x }}\n  {{ index .x 3 }}\n{{ end }}", data: #"{"x":[1]}"#),
        ]
    }
}

/// The template shapes real Lilypad modules use, rendered the way Lilypad does, with ordinary and hostile inputs.
extension TemplateOracleTests {
    static let cowsay = #"""
        {
            "machine": {
                "gpu": 0,
                "cpu": 1000,
                "ram": 100
            },
            "job": {
                "APIVersion": "V1beta1",
                "Metadata": {
                    "CreatedAt": "0001-01-01T00:00:00Z",
                    "Requester": {}
                },
                "Spec": {
                    "Deal": {
                        "Concurrency": 1
                    },
                    "Docker": {
                        "Entrypoint": ["/usr/local/bin/cowsay", {{ if .Message }}{{ .Message }}{{ else }}"Moo..."{{ end }}],
                        "Image": "grycap/cowsay:latest@sha256:fad516b39e3a587f33ce3dbbb1e646073ef35e0b696bcf9afb1a3e399ce2ab0b"
                    },
                    "Engine": "Docker",
                    "Network": {
                        "Type": "None"
                    },
                    "PublisherSpec": {
                        "Type": "IPFS"
                    },
                    "Resources": {
                        "GPU": ""
                    },
                    "Timeout": 1800,
                    "Verifier": "Noop"
                }
            }
        }
        """#

    static let seedDocs = #"""
        {
          "machine": { "gpu": 1, "cpu": 1000, "ram": 8000 },
          "gpus": [ { "vram": 24576 } ],
          "job": {
            "Spec": {
              "Docker": {
                "Entrypoint": ["/app/src/run_model", {{ .request }}],
                "EnvironmentVariables": [
                  {{ if .var_name }}"VAR_NAME={{ js .var_name }}"{{ else }}"VAR_NAME=default_value"{{ end }}
                ],
                "Image": "example/seed:v1"
              },
              "Engine": "Docker",
              "Outputs": [ { "Name": "outputs", "Path": "/outputs" } ]
            }
          }
        }
        """#

    static let sdxl = #"""
        {
          "machine": { "gpu": 1, "cpu": 8000, "ram": 16000 },
          "job": {
            "Spec": {
              "Docker": {
                "Entrypoint": ["python3", "/app/run.py"],
                "EnvironmentVariables": [{{ if .Prompt }}"{{ subst "PROMPT=%s" .Prompt }}"{{ else }}"PROMPT=a frog"{{ end }}, {{ if .Seed }}"{{ subst "SEED=%s" .Seed }}"{{ else }}"SEED=42"{{end}}],
                "Image": "example/sdxl:v0.9-lilypad1"
              },
              "Engine": "Docker",
              "Timeout": 1800
            }
          }
        }
        """#

    static let sentiment = #"""
        {
          "job": {
            "Spec": {
              "Docker": {
                "Entrypoint": ["python", "run.py", {{ .input }}],
                "EnvironmentVariables": [{{ if .input }}"INPUT={{ js .input }}"{{ else }}"INPUT=default"{{ end }}],
                "Image": "example/sentiment:latest"
              }
            }
          }
        }
        """#

    static let concatFiles = #"""
        {
          "inputFiles": {"required": ["a.txt"], "optional": ["b.txt"]},
          "job": {
            "Spec": {
              "Docker": {
                "Entrypoint": ["/bin/sh", "-c", "cat a.txt{{ if .separator }} && printf %s {{ .separator }}{{ end }} && cat b.txt"],
                "EnvironmentVariables": [{{ if .separator }}"SEPARATOR={{ js .separator }}"{{ else }}"SEPARATOR=\n"{{ end }}]
              }
            }
          }
        }
        """#

    /// Input values from the ordinary to the hostile.
    static let moduleInputs: [String] = [
        "hello", "", "a \"quoted\" word", "back\\slash", "it's", "line\nbreak", "{{ .Message }}", "}}", "100%s", "%d %v %%", "<b>&amp;</b>",
        "\u{2028}sep\u{2029}", "héllo wörld 中文 🐸", "\u{0}\u{1f}\u{7f}", "\t", "e\u{301}", "null", "{\"json\":true}",
        String(repeating: "0123456789", count: 1024), String(repeating: "\"\\'<", count: 100), "%!s(MISSING)", "%[1]s", "\\u0041",
    ]

    static var modules: [Case] {
        let shapes: [(name: String, template: String, keys: [String])] = [
            ("cowsay:v0.0.4", cowsay, ["Message"]),
            ("seed", seedDocs, ["var_name", "request"]),
            ("sdxl", sdxl, ["Prompt", "Seed"]),
            ("sentiment", sentiment, ["input"]),
            ("concat-files", concatFiles, ["separator"]),
        ]
        var cases: [Case] = []
        for shape in shapes {
            // No inputs at all: every key missing.
            cases.append(Case(name: shape.name, template: shape.template, data: "{}", mode: .lilypad, origin: .module))
            for (index, value) in moduleInputs.enumerated() {
                var entries: [String] = []
                for (position, key) in shape.keys.enumerated() {
                    // With several keys, vary which one carries the hostile value and leave one out sometimes.
                    if position > 0 && index % 3 == 0 { continue }
                    let text = position == 0 ? value : moduleInputs[(index + position) % moduleInputs.count]
                    entries.append(LilypadRendering.jsonEncode(key) + ":" + LilypadRendering.jsonEncode(text))
                }
                cases.append(
                    Case(
                        name: shape.name, template: shape.template, data: "{" + entries.joined(separator: ",") + "}", mode: .lilypad, origin: .module)
                )
            }
        }
        // Other things module authors write.
        let extra: [(String, String)] = [
            ("{{ subst \"%s and %s\" .a .b }}", #"{"a":"x\"y","b":"<&>"}"#),
            ("{{ subst \"%s\" .a .b }}", #"{"a":"1","b":"2"}"#),
            ("{{ subst \"%d\" .a }}", #"{"a":"1"}"#),
            ("{{ subst \"%q|%v|%x\" .a .a .a }}", #"{"a":"é\n"}"#),
            ("{{ subst \"%s\" \"not json\" }}", "{}"),
            ("{{ subst \"%s\" \"\\\"json\\\"\" }}", "{}"),
            ("{{ subst \"%s\" \"null\" }}", "{}"),
            ("{{ subst \"%s\" \"1\" }}", "{}"),
            ("{{ subst \"%s\" \" \\\"padded\\\" \" }}", "{}"),
            ("{{ subst \"%s\" .missing }}", "{}"),
            ("{{ subst .a }}", #"{"a":"x"}"#),
            ("{{ subst }}", "{}"),
            ("{{ subst 1 }}", "{}"),
            ("{{ subst \"%s\" 1 }}", "{}"),
            ("{{ .a | subst \"%s\" }}", #"{"a":"piped"}"#),
            ("{{ printf \"%s\" .a }}|{{ len .a }}|{{ index . \"a\" }}|{{ index . \"b\" }}|{{ .b }}", #"{"a":"x"}"#),
            ("{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}", #"{"b":"2","a":"1"}"#),
            ("{{ if eq .a \"\\\"yes\\\"\" }}matched{{ end }}", #"{"a":"yes"}"#),
            ("{{ .a.b }}", #"{"a":"x"}"#),
            ("{{ js .a }} {{ html .a }} {{ urlquery .a }}", #"{"a":"<tag attr='v'>&\u2028"}"#),
            ("{{ slice .a 1 3 }}", #"{"a":"héllo"}"#),
            ("{{ break }}", "{}"),
            ("{{ subst \"%s\" (slice .a 1) }}", #"{"a":"x"}"#),
            ("{{ . }}|{{ printf \"%#v|%v|%d\" . . . }}|{{ len . }}", #"{"b":"x<y","a":"\u00e9"}"#),
            ("{{ with .a }}{{ . }}{{ end }}{{ .a | len }}{{ eq .a .b }}{{ lt .a .b }}", #"{"a":"1","b":"2"}"#),
        ]
        for (template, inputs) in extra {
            cases.append(Case(name: "module", template: template, data: inputs, mode: .lilypad, origin: .module))
        }
        return cases
    }
}
