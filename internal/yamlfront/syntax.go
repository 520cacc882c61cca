package yamlfront

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/diag"
)

var (
	yamlLine   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// parserProblems are the messages of the YAML parser proper (as opposed to
// its scanner). The parser reports their lines counting from 0, the scanner
// counting from 1; and it leaves the line out when it is the first.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// syntaxHints say what usually causes the commonest YAML errors.
var syntaxHints = map[string]string{
	"found unexpected end of stream":                 "close the quote or bracket that starts on this line",
	"mapping values are not allowed in this context": `put text that contains ": " in quotes`,
	"did not find expected key":                      "check the indentation: the keys of one mapping line up",
	"found character that cannot start any token":    "put the value in quotes",
}

// syntaxError reports a YAML syntax error. The parser gives no column, and
// for a block gives the line where the block starts: the error is reported
// at the first line from there at which the file stops being valid YAML.
func (f *File) syntaxError(err error) {
	msg, line := problem(err)
	pos := diag.Pos{File: f.name, Line: f.problemLine(msg, line)}
	if m := yamlAnchor.FindStringSubmatch(err.Error()); m != nil {
		if i := bytes.Index(f.src, []byte("*"+m[1])); i >= 0 {
			pos = f.PosAt(i)
		}
		f.Report(diag.SeverityError, pos, diag.Pos{}, "yaml-syntax", "there is no anchor &"+m[1]+" for this alias to refer to", "define the anchor (&"+m[1]+") before the alias")
		return
	}
	hint, ok := syntaxHints[msg]
	if !ok {
		hint = "check the indentation and punctuation on this line and the one before"
	}
	if l, ok := f.text.Line(pos.Line); ok && bytes.ContainsRune(l, '\t') {
		hint = "indent with spaces: YAML does not allow tabs"
	}
	f.Report(diag.SeverityError, pos, diag.Pos{}, "yaml-syntax", "YAML syntax: "+msg, hint)
}

// problem returns a YAML error's message and the line it gives, counting
// from 1 (the parser gives no line for the first).
func problem(err error) (string, int) {
	msg := err.Error()
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return strings.TrimPrefix(msg, "yaml: "), 1
	}
	n, _ := strconv.Atoi(m[1])
	if parserProblems[m[2]] {
		n++
	}
	return m[2], n
}

// problemLine returns the fewest whole lines, from line on, that fail to
// parse with the same problem: where the file stops being valid YAML.
func (f *File) problemLine(msg string, line int) int {
	lo, hi := max(line, 1), f.text.Lines()
	if lo > hi {
		return hi
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if f.prefixFails(mid, msg) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return hi
}

// prefixFails reports whether the file's first lines fail to parse with msg.
func (f *File) prefixFails(lines int, msg string) bool {
	end := len(f.src)
	if lines < f.text.Lines() {
		end = f.text.Start(lines + 1)
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.src[:end]))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			m, _ := problem(err)
			return m == msg
		}
	}
}
