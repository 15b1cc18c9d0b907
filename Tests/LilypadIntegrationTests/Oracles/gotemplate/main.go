// Command gotemplate is the Go text/template oracle for the Swift LilypadTemplate differential tests.
//
// It reads a JSON array of cases from stdin and writes a JSON array of results to stdout, one per case.
// Mode "plain" parses the template with template.New(name).Parse and executes it on the data decoded
// into interface{}; mode "lilypad" renders the way Lilypad's module loader does: every input is
// json.Marshal'ed first, the data is a map[string]string of those encodings, and "subst" is available.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/template"
)

type testCase struct {
	Name     string          `json:"name"`
	Template string          `json:"template"`
	Data     json.RawMessage `json:"data"`
	// DataText, when present, is the data as text: a way to pass malformed JSON.
	DataText *string `json:"dataText"`
	Mode     string  `json:"mode"`
}

type result struct {
	OK     bool   `json:"ok"`
	Output string `json:"output"`
	// Bytes is the exact output, which may be invalid UTF-8 (Go strings are byte strings).
	Bytes []byte `json:"bytes"`
	Error string `json:"error"`
	// Stage is "data", "parse", "execute" or "panic": where the case failed.
	Stage string `json:"stage"`
}

// subst is Lilypad's template function: it JSON-decodes every argument into a string and
// formats them with fmt.Sprintf.
func subst(format string, jsonEncodedInputs ...string) string {
	decoded := make([]interface{}, 0, len(jsonEncodedInputs))
	for _, input := range jsonEncodedInputs {
		var s string
		if err := json.Unmarshal([]byte(input), &s); err != nil {
			panic("subst: invalid input")
		}
		decoded = append(decoded, s)
	}
	return fmt.Sprintf(format, decoded...)
}

func run(c testCase) (res result) {
	if c.DataText != nil {
		c.Data = json.RawMessage(*c.DataText)
	}
	defer func() {
		if r := recover(); r != nil {
			res = result{Error: fmt.Sprintf("panic: %v", r), Stage: "panic"}
		}
	}()
	var tmpl *template.Template
	var data interface{}
	switch c.Mode {
	case "lilypad":
		var inputs map[string]string
		if err := json.Unmarshal(c.Data, &inputs); err != nil {
			return result{Error: err.Error(), Stage: "data"}
		}
		encoded := make(map[string]string, len(inputs))
		for k, v := range inputs {
			b, err := json.Marshal(v)
			if err != nil {
				return result{Error: err.Error(), Stage: "data"}
			}
			encoded[k] = string(b)
		}
		data = encoded
		tmpl = template.New(c.Name).Funcs(template.FuncMap{"subst": subst})
	default:
		if err := json.Unmarshal(c.Data, &data); err != nil {
			return result{Error: err.Error(), Stage: "data"}
		}
		tmpl = template.New(c.Name)
	}
	parsed, err := tmpl.Parse(c.Template)
	if err != nil {
		return result{Error: err.Error(), Stage: "parse"}
	}
	var out bytes.Buffer
	if err := parsed.Execute(&out, data); err != nil {
		return result{Output: out.String(), Bytes: out.Bytes(), Error: err.Error(), Stage: "execute"}
	}
	return result{OK: true, Output: out.String(), Bytes: out.Bytes()}
}

func main() {
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "gotemplate: reading cases:", err)
		os.Exit(2)
	}
	results := make([]result, len(cases))
	for i, c := range cases {
		results[i] = run(c)
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "gotemplate: writing results:", err)
		os.Exit(2)
	}
}
