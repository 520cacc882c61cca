package yamlfront

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/safeguarding-partnerships/escalation/internal/source"
)

// cause is what a syntax error most likely comes from: where to point, what
// to say and what to suggest, and how to repair the line so that reading can
// go on to the next error.
type cause struct {
	line, col, end int // end: the column after the range, or 0 for a caret alone
	msg, hint      string
	// fix returns the line repaired, or false when the cause has no safe
	// repair. A repair never adds or removes a line.
	fix func(text string) (string, bool)
}

// diagnose finds the cause of the parser's message msg, which the file's
// first line lines already produce.
func diagnose(t *source.Text, msg string, line int) cause {
	for _, find := range []func(*source.Text, string, int) (cause, bool){
		tabCause, quoteOrBracketCause, colonCause, mixCause, indentCause, tokenCause,
	} {
		if c, ok := find(t, msg, line); ok {
			return c
		}
	}
	sh := shape(t, line)
	return cause{line: line, col: sh.indent + 1, msg: "YAML syntax: " + msg,
		hint: "check the indentation and punctuation on this line and the one before"}
}

// shape returns the shape of a 1-based line (a blank shape past the end).
func shape(t *source.Text, n int) lineShape {
	b, ok := t.Line(n)
	if !ok {
		return lineShape{blank: true}
	}
	return shapeOf(string(b))
}

// above returns the nearest line before n that is not blank, and its shape.
func above(t *source.Text, n int) (int, lineShape, bool) {
	for n--; n >= 1; n-- {
		if sh := shape(t, n); !sh.blank {
			return n, sh, true
		}
	}
	return 0, lineShape{}, false
}

// reindent returns a repair that indents a line by n spaces.
func reindent(n int) func(string) (string, bool) {
	return func(text string) (string, bool) {
		body := strings.TrimLeft(text, " \t")
		return strings.Repeat(" ", n) + body, true
	}
}

// tabCause: a tab in a line's indentation, which YAML does not allow.
func tabCause(t *source.Text, msg string, line int) (cause, bool) {
	lines := []int{line}
	if strings.Contains(msg, "tab") || strings.Contains(msg, "cannot start any token") {
		lines = append(lines, line+1, line-1)
	}
	for _, n := range lines {
		sh := shape(t, n)
		if sh.tab == 0 || sh.blank {
			continue
		}
		indent := 0
		if _, prev, ok := above(t, n); ok {
			indent = prev.indent
			if prev.key != "" && prev.value == 0 {
				indent = prev.keyCol - 1 + 2 // the first line inside "key:"
			}
		}
		return cause{line: n, col: sh.tab, msg: "YAML syntax: a tab in the indentation",
			hint: "indent with spaces: YAML does not allow tabs (set your editor to insert spaces for the Tab key)",
			fix:  reindent(indent)}, true
	}
	return cause{}, false
}

// quoteOrBracketCause: a quote or bracket left open, one closed too early,
// or a closing bracket with nothing to close.
func quoteOrBracketCause(t *source.Text, msg string, line int) (cause, bool) {
	st := scanTo(t, line)
	appendText := func(s string) func(string) (string, bool) {
		return func(text string) (string, bool) { return text + s, true }
	}
	switch {
	case st.early != nil:
		e := st.early
		hint, escape := `inside "…" write a quote as \", or put the text in '…' instead`, "\\"
		if e.ch == '\'' {
			hint, escape = `inside '…' write an apostrophe twice (it''s), or put the text in "…" instead`, "'"
		}
		return cause{line: e.line, col: e.col, msg: "YAML syntax: the quoted text ends here, but the line goes on", hint: hint,
			fix: func(text string) (string, bool) {
				at := byteAt(text, e.col)
				return text[:at] + escape + text[at:], true
			}}, true
	case st.stray != nil:
		s := st.stray
		if n := len(st.flow); n > 0 {
			o := st.flow[n-1]
			return cause{line: s.line, col: s.col, msg: fmt.Sprintf("YAML syntax: this %c does not match the %c at line %d, column %d", s.ch, o.ch, o.line, o.col),
				hint: fmt.Sprintf("close the %c with %c first", o.ch, closer(o.ch))}, true
		}
		return cause{line: s.line, col: s.col, msg: fmt.Sprintf("YAML syntax: this %c closes nothing", s.ch),
			hint: "remove it, or put the text in quotes"}, true
	case st.quote != nil:
		q := st.quote
		return cause{line: q.line, col: q.col, msg: "YAML syntax: the quote that starts here is never closed",
			hint: fmt.Sprintf("close it: end the text with %c", q.ch), fix: appendText(string(q.ch))}, true
	case len(st.flow) > 0:
		o := st.flow[len(st.flow)-1]
		what, closes := "list", "]"
		if o.ch == '{' {
			what, closes = "mapping", "}"
		}
		return cause{line: o.line, col: o.col, msg: fmt.Sprintf("YAML syntax: the %c that starts here is never closed", o.ch),
			hint: fmt.Sprintf("close the %s with %s: a %s in %c %s may run over several lines, but must end with %s", what, closes, what, o.ch, closes, closes),
			fix:  appendText(strings.Repeat(closes, 1))}, true
	}
	return cause{}, false
}

func closer(open rune) rune {
	if open == '{' {
		return '}'
	}
	return ']'
}

// plainKey is what a key of a policy, scenario or closure file looks like;
// a line indented under a value whose text before ": " is not one is more
// likely text with a colon in it.
var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// colonCause: "mapping values are not allowed in this context". Either a
// line is indented further than the key above it, so that YAML reads it as
// more of that key's value, or a value holds ": ".
func colonCause(t *source.Text, msg string, line int) (cause, bool) {
	if msg != "mapping values are not allowed in this context" {
		return cause{}, false
	}
	sh := shape(t, line)
	if owner, on, ok := plainOwner(t, line); ok && sh.dashes == 0 && sh.key != "" {
		if plainKey.MatchString(sh.key) {
			return cause{line: line, col: sh.keyCol, end: sh.keyCol + utf8.RuneCountInString(sh.key) + 1,
				msg:  fmt.Sprintf("YAML syntax: %s: is indented more than %s: above it", sh.key, on.key),
				hint: fmt.Sprintf("line it up with %s: (line %d): a line indented further is read as more of the value above", on.key, owner),
				fix:  reindent(on.keyCol - 1)}, true
		}
		return cause{line: line, col: sh.keyCol + utf8.RuneCountInString(sh.key), msg: fmt.Sprintf(`YAML syntax: ": " inside the value of %s: (line %d)`, on.key, owner),
			hint: fmt.Sprintf("put the whole value of %s: in quotes; or, if this line is a key of its own, line it up with %s:", on.key, on.key)}, true
	}
	if sh.key == "" || sh.value == 0 {
		return cause{}, false
	}
	value := sh.text[byteAt(sh.text, sh.value):]
	if i := strings.Index(value, " #"); i >= 0 {
		value = value[:i]
	}
	value = strings.TrimRight(value, " ")
	k := keyEnd(value)
	if k <= 0 {
		return cause{}, false
	}
	quoted := strconv.Quote(value)
	return cause{line: line, col: sh.value + utf8.RuneCountInString(value[:k]),
		msg:  fmt.Sprintf(`YAML syntax: ": " inside the value of %s:`, sh.key),
		hint: fmt.Sprintf("put the value in quotes: %s: %s", sh.key, quoted),
		fix: func(text string) (string, bool) {
			at := byteAt(text, sh.value)
			return text[:at] + quoted + text[at+len(value):], true
		}}, true
}

// plainOwner finds, for a line indented under a key whose value is plain
// text, the line holding that key: YAML reads the line as more of the value.
func plainOwner(t *source.Text, line int) (int, lineShape, bool) {
	sh := shape(t, line)
	n := line
	for {
		var prev lineShape
		var ok bool
		if n, prev, ok = above(t, n); !ok {
			return 0, lineShape{}, false
		}
		if prev.key == "" && prev.dashes == 0 {
			continue // another line of the same value
		}
		if prev.key == "" || prev.keyCol-1 >= sh.indent || prev.value == 0 ||
			strings.ContainsRune(`"'[{|>`, rune(prev.text[byteAt(prev.text, prev.value)])) {
			return 0, lineShape{}, false
		}
		return n, prev, true
	}
}

// mixCause: a list item among the keys of a mapping, or a key among the
// items of a list.
func mixCause(t *source.Text, msg string, line int) (cause, bool) {
	if !strings.HasPrefix(msg, "did not find expected") && !strings.HasPrefix(msg, "block sequence entries") {
		return cause{}, false
	}
	sh := shape(t, line)
	n, sib := line, lineShape{}
	for ok := true; ; {
		if n, sib, ok = above(t, n); !ok || sib.indent < sh.indent {
			return cause{}, false
		}
		if sib.indent == sh.indent {
			break
		}
	}
	switch {
	case sh.dashes > 0 && sib.dashes == 0 && sib.key != "":
		return cause{line: line, col: sh.indent + 1, msg: fmt.Sprintf("YAML syntax: a list item among the keys of a mapping (%s: is on line %d)", sib.key, n),
			hint: "make it a key (name: …), or put the list under a key of its own that ends with \":\", indented further"}, true
	case sh.dashes == 0 && sib.dashes > 0:
		return cause{line: line, col: sh.indent + 1, msg: fmt.Sprintf("YAML syntax: a key among the items of a list (line %d starts with \"- \")", n),
			hint: "start this line with \"- \" to make it an item, or indent it under the item it belongs to"}, true
	}
	return cause{}, false
}

// level is an indentation at which a line above is open for more keys or
// items: the column where its key or dash starts, less one.
type level struct {
	indent int
	line   int
	what   string // how the line starts: "title:", "- event:"
}

// indentCause: a line indented to match no key or list above it.
func indentCause(t *source.Text, msg string, line int) (cause, bool) {
	switch {
	case strings.HasPrefix(msg, "did not find expected key"), strings.HasPrefix(msg, "did not find expected '-'"),
		strings.HasPrefix(msg, "block sequence entries"), strings.HasPrefix(msg, "mapping values are not allowed"):
	default:
		return cause{}, false
	}
	sh := shape(t, line)
	levels := openLevels(t, line)
	if sh.blank || len(levels) == 0 || slices.ContainsFunc(levels, func(l level) bool { return l.indent == sh.indent }) {
		return cause{}, false
	}
	var below, over *level // the nearest levels less and more indented than the line
	for i := range levels {
		l := &levels[i]
		if l.indent < sh.indent && (below == nil || l.indent > below.indent) {
			below = l
		}
		if l.indent > sh.indent && (over == nil || l.indent < over.indent) {
			over = l
		}
	}
	var options []string
	for _, l := range []*level{over, below} {
		if l != nil {
			options = append(options, fmt.Sprintf("%d, like %s (line %d)", l.indent, l.what, l.line))
		}
	}
	fixTo := over
	if fixTo == nil || below != nil && sh.indent-below.indent < over.indent-sh.indent {
		fixTo = below
	}
	return cause{line: line, col: sh.indent + 1, msg: fmt.Sprintf("YAML syntax: this line is indented %d spaces, like no line above it", sh.indent),
		hint: "indent it " + strings.Join(options, ", or ") + ": the keys of one mapping, and the items of one list, line up",
		fix:  reindent(fixTo.indent)}, true
}

// openLevels lists the indentations a line may have after the lines above
// it: the line just above's own, and each less indented one that encloses it.
func openLevels(t *source.Text, line int) []level {
	var out []level
	limit := int(^uint(0) >> 1)
	for n := line; ; {
		var sh lineShape
		var ok bool
		if n, sh, ok = above(t, n); !ok || limit == 0 {
			return out
		}
		if sh.indent >= limit {
			continue
		}
		if sh.key != "" && sh.keyCol-1 < limit {
			out = append(out, level{sh.keyCol - 1, n, sh.key + ":"})
		}
		if sh.dashes > 0 {
			what := "- " + sh.key
			if sh.key != "" {
				what += ":"
			}
			out = append(out, level{sh.indent, n, strings.TrimSpace(what)})
		}
		limit = sh.indent
	}
}

// tokenCause: a value starting with a character that YAML keeps for itself.
func tokenCause(t *source.Text, msg string, line int) (cause, bool) {
	if msg != "found character that cannot start any token" {
		return cause{}, false
	}
	sh := shape(t, line)
	if sh.key == "" || sh.value == 0 {
		return cause{}, false
	}
	value := strings.TrimRight(sh.text[byteAt(sh.text, sh.value):], " ")
	quoted := strconv.Quote(value)
	r, _ := utf8.DecodeRuneInString(value)
	return cause{line: line, col: sh.value, msg: fmt.Sprintf("YAML syntax: a value cannot start with %q", r),
		hint: fmt.Sprintf("put the value in quotes: %s: %s", sh.key, quoted),
		fix: func(text string) (string, bool) {
			return text[:byteAt(text, sh.value)] + quoted, true
		}}, true
}
