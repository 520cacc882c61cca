package engine

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits on what a policy file may ask of the loader. A real policy is a
// few hundred lines, nested about ten deep, and uses aliases sparingly if at
// all; these are far beyond that and keep hostile input cheap.
const (
	maxDepth      = 32     // nested mappings and lists, aliases followed
	maxAliasNodes = 10_000 // nodes reached by following aliases, in all
)

// parseYAML parses the file's single YAML document. It returns nil, having
// reported why, when the file is not YAML, is empty or holds more than one
// document.
func (b *builder) parseYAML() *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(b.t.src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			b.report(SeverityError, Pos{File: b.t.file, Line: 1}, Pos{}, "empty-file", "the file is empty", "start with: "+b.start)
		} else {
			b.syntaxError(err)
		}
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		b.errorAt(&next, "multiple-documents", "hold one "+b.noun+" per file", "the file holds more than one YAML document")
		return nil
	} else if !errors.Is(err, io.EOF) {
		b.syntaxError(err)
		return nil
	}
	if len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		b.report(SeverityError, Pos{File: b.t.file, Line: 1}, Pos{}, "empty-file", "the file is empty", "start with: "+b.start)
		return nil
	}
	return doc.Content[0]
}

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
func (b *builder) syntaxError(err error) {
	msg, line := problem(err)
	pos := Pos{File: b.t.file, Line: b.problemLine(msg, line)}
	if m := yamlAnchor.FindStringSubmatch(err.Error()); m != nil {
		if i := bytes.Index(b.t.src, []byte("*"+m[1])); i >= 0 {
			pos = b.t.posAt(i)
		}
		b.report(SeverityError, pos, Pos{}, "yaml-syntax", "there is no anchor &"+m[1]+" for this alias to refer to", "define the anchor (&"+m[1]+") before the alias")
		return
	}
	hint, ok := syntaxHints[msg]
	if !ok {
		hint = "check the indentation and punctuation on this line and the one before"
	}
	if l, ok := b.t.line(pos.Line); ok && bytes.ContainsRune(l, '\t') {
		hint = "indent with spaces: YAML does not allow tabs"
	}
	b.report(SeverityError, pos, Pos{}, "yaml-syntax", "YAML syntax: "+msg, hint)
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
func (b *builder) problemLine(msg string, line int) int {
	lo, hi := max(line, 1), len(b.t.lines)
	if lo > hi {
		return hi
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if b.prefixFails(mid, msg) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return hi
}

// prefixFails reports whether the file's first lines fail to parse with msg.
func (b *builder) prefixFails(lines int, msg string) bool {
	end := len(b.t.src)
	if lines < len(b.t.lines) {
		end = b.t.lines[lines]
	}
	dec := yaml.NewDecoder(bytes.NewReader(b.t.src[:end]))
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

// checkLimits reports an alias cycle, nesting deeper than maxDepth, or more
// than maxAliasNodes nodes reached through aliases ("billion laughs"). The
// rest of the loader walks the tree freely once this passes.
func (b *builder) checkLimits(root *yaml.Node) bool {
	l := limitWalk{b: b, open: map[*yaml.Node]bool{}}
	return l.walk(root, 1, nil)
}

type limitWalk struct {
	b       *builder
	open    map[*yaml.Node]bool // anchored nodes being walked: an alias to one is a cycle
	aliased int                 // nodes reached through aliases so far
}

// walk visits n at the given depth; via is the outermost alias followed to
// reach it, nil if none.
func (l *limitWalk) walk(n *yaml.Node, depth int, via *yaml.Node) bool {
	if depth > maxDepth {
		l.b.errorAt(n, "too-deep", "a "+l.b.noun+" is nested about ten levels deep; check the indentation", "the file is nested more than %d levels deep", maxDepth)
		return false
	}
	if via != nil {
		if l.aliased++; l.aliased > maxAliasNodes {
			l.b.errorAt(via, "alias-limit", "repeat the content instead of nesting aliases", "the aliases in this file expand to more than %d nodes", maxAliasNodes)
			return false
		}
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return true
		}
		if l.open[n.Alias] {
			l.b.errorAt(n, "alias-cycle", "an alias cannot refer to the node that contains it", "alias *%s refers to itself", n.Value)
			return false
		}
		if via == nil {
			via = n
		}
		return l.walk(n.Alias, depth, via)
	}
	if n.Anchor != "" {
		l.open[n] = true
		defer delete(l.open, n)
	}
	for _, c := range n.Content {
		if !l.walk(c, depth+1, via) {
			return false
		}
	}
	return true
}
