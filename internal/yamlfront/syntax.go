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
	"github.com/safeguarding-partnerships/escalation/internal/source"
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

// MaxSyntaxErrors is how many YAML syntax errors one file reports.
const MaxSyntaxErrors = 10

// syntaxError reports a YAML syntax error, and those after it. The parser
// gives no column and, for a block, the line where the block starts; so the
// error is placed at the first line at which the file stops being valid
// YAML, and the lines up to there are read to find its cause: a tab, an
// unclosed quote or bracket, a colon in a value, a slip of indentation.
//
// To find more than the first error, each cause that has a safe repair
// (closing the quote, quoting the value, lining the key up) is repaired in a
// copy of the file, which is parsed again. A repair never adds or removes a
// line, so later errors keep their places; an error on or just under a
// repaired line could be the repair's own, and ends the search. The search is
// bounded by MaxSyntaxErrors and by the bytes parsed (a few times the file).
func (f *File) syntaxError(err error) {
	if m := yamlAnchor.FindStringSubmatch(err.Error()); m != nil {
		pos := diag.Pos{File: f.name, Line: 1}
		if i := bytes.Index(f.src, []byte("*"+m[1])); i >= 0 {
			pos = f.PosAt(i)
		}
		f.Report(diag.SeverityError, pos, diag.Pos{}, "yaml-syntax", "there is no anchor &"+m[1]+" for this alias to refer to", "define the anchor (&"+m[1]+") before the alias")
		return
	}
	p := prefixParser{budget: 8*len(f.src) + 256<<10}
	text, repaired := f.text, 0 // repaired: the last line a repair may have disturbed
	for n := 0; n < MaxSyntaxErrors && err != nil; n++ {
		msg, line := problem(err)
		c := diagnose(text, msg, p.problemLine(text, msg, line))
		if c.line <= repaired {
			return
		}
		pos, end := diag.Pos{File: f.name, Line: c.line, Column: c.col}, diag.Pos{}
		if c.end > c.col {
			end = diag.Pos{File: f.name, Line: c.line, Column: c.end}
		}
		f.Report(diag.SeverityError, pos, end, "yaml-syntax", c.msg, c.hint)
		if c.fix == nil || p.budget <= 0 {
			return
		}
		next, ok := repair(text, c)
		if !ok {
			return
		}
		text, repaired = next, blockEnd(next, c.line)
		err = p.parse(text.Bytes())
	}
}

// repair returns the text with the cause's line repaired.
func repair(t *source.Text, c cause) (*source.Text, bool) {
	line, _ := t.Line(c.line)
	fixed, ok := c.fix(string(line))
	if !ok || strings.ContainsAny(fixed, "\r\n\u0085\u2028\u2029") {
		return nil, false
	}
	src := t.Bytes()
	start := t.Start(c.line)
	var b bytes.Buffer
	b.Write(src[:start])
	b.WriteString(fixed)
	b.Write(src[start+len(line):])
	return source.New(b.Bytes()), true
}

// blockEnd returns the last line of the block that starts at line: the
// lines after it that are blank or indented further.
func blockEnd(t *source.Text, line int) int {
	indent := shape(t, line).indent
	end := line
	for n := line + 1; n <= t.Lines(); n++ {
		sh := shape(t, n)
		if !sh.blank && sh.indent <= indent {
			break
		}
		if !sh.blank {
			end = n
		}
	}
	return end
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

// prefixParser parses texts and their first lines, within a budget of bytes.
type prefixParser struct {
	budget int
}

// parse returns the first YAML error in src, reading every document.
func (p *prefixParser) parse(src []byte) error {
	p.budget -= len(src)
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// problemLine returns the fewest whole lines, from line on, that fail to
// parse with the same problem: where the file stops being valid YAML.
func (p *prefixParser) problemLine(t *source.Text, msg string, line int) int {
	lo, hi := max(line, 1), t.Lines()
	if lo > hi {
		return hi
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if p.prefixFails(t, mid, msg) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return hi
}

// prefixFails reports whether the text's first lines fail to parse with msg.
func (p *prefixParser) prefixFails(t *source.Text, lines int, msg string) bool {
	end := len(t.Bytes())
	if lines < t.Lines() {
		end = t.Start(lines + 1)
	}
	err := p.parse(t.Bytes()[:end])
	if err == nil {
		return false
	}
	m, _ := problem(err)
	return m == msg
}
