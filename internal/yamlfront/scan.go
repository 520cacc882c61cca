package yamlfront

import (
	"strings"
	"unicode/utf8"

	"github.com/safeguarding-partnerships/escalation/internal/source"
)

// The YAML parser says what went wrong but not where, to the column, nor
// why. To find a syntax error's cause the front end reads the lines itself,
// as far as the error, the way a person would: which quotes and brackets are
// open, how far each line is indented, and what looks like a key. This is not
// a YAML parser: it only has to be right about files the parser has already
// refused, and it reads them line by line, once.

// mark is a character's place: a 1-based line and column, and the character.
type mark struct {
	line, col int
	ch        rune
}

// lineShape is how one line looks: its indentation, and the key it starts
// with, if any.
type lineShape struct {
	text   string
	indent int    // characters before the first that is not a space or a tab
	tab    int    // the column of the first tab in the indentation, or 0
	blank  bool   // empty, or only a comment
	dashes int    // how many "- " start the line
	key    string // the key the line starts with ("title"), after any "- "
	keyCol int    // the key's column
	value  int    // the column where the key's value starts, or 0 if none on the line
}

// shapeOf reads a line's shape.
func shapeOf(text string) lineShape {
	s := lineShape{text: text}
	i := 0
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		if text[i] == '\t' && s.tab == 0 {
			s.tab = i + 1
		}
		i++
	}
	s.indent = i
	rest := text[i:]
	if rest == "" || rest[0] == '#' {
		s.blank = true
		return s
	}
	for strings.HasPrefix(rest, "- ") || rest == "-" {
		s.dashes++
		n := len(rest) - len(strings.TrimLeft(rest[1:], " ")) // the dash and the spaces after it
		i += n
		rest = rest[n:]
	}
	if k := keyEnd(rest); k > 0 {
		s.key = rest[:k]
		s.keyCol = 1 + utf8.RuneCountInString(text[:i])
		v := i + k + 1
		for v < len(text) && text[v] == ' ' {
			v++
		}
		if v < len(text) && text[v] != '#' {
			s.value = 1 + utf8.RuneCountInString(text[:v])
		}
	}
	return s
}

// keyEnd returns where a plain key ends (at its colon) if s starts with one:
// text up to the first ": " (or a ":" that ends the line) that is not a
// quote, bracket or comment.
func keyEnd(s string) int {
	if s == "" || strings.ContainsRune(`"'[]{}#|>&*!%@`+"`", rune(s[0])) {
		return 0
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '#' && i > 0 && s[i-1] == ' ':
			return 0
		case s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t'):
			return i
		}
	}
	return 0
}

// scanState is what is open after the lines read so far.
type scanState struct {
	quote *mark  // a quoted scalar that has not closed
	flow  []mark // the brackets of flow collections not yet closed, outermost first
	early *mark  // on the last line read, a quote that closed with text after it
	stray *mark  // on the last line read, a closing bracket that matched no opener
	block int    // while > 0, lines indented block or more are a block scalar's text
	plain int    // while > 0, lines indented plain or more continue a plain value
	// inPlain: inside a flow collection, the scan is in a plain scalar (The
	// Panel's decision), where a quote is a character like any other: a
	// quote starts a scalar only where a scalar starts.
	inPlain bool
}

// scanTo reads lines 1 to last and returns what is open at the end of last.
func scanTo(t *source.Text, last int) scanState {
	var st scanState
	for n := 1; n <= last; n++ {
		b, ok := t.Line(n)
		if !ok {
			break
		}
		st.line(n, string(b))
	}
	return st
}

// line reads one line into the state.
func (st *scanState) line(n int, text string) {
	st.early, st.stray = nil, nil
	sh := shapeOf(text)
	switch {
	case st.quote != nil || len(st.flow) > 0:
		st.scan(n, text, 0)
		return
	case sh.blank:
		return
	case st.block > 0 && sh.indent >= st.block:
		return // a block scalar's text: quotes and brackets there are words
	case st.plain > 0 && sh.indent >= st.plain:
		return // more of a plain value from the line above
	}
	st.block, st.plain = 0, 0
	start, parent := sh.indent, sh.indent // parent: the indentation a value's next lines must pass
	for d := 0; d < sh.dashes; d++ {      // past each "- "
		parent = start
		start++
		for start < len(text) && text[start] == ' ' {
			start++
		}
	}
	if sh.key != "" {
		if sh.value == 0 {
			return
		}
		start, parent = byteAt(text, sh.value), sh.keyCol-1
	}
	start = skipProps(text, start)
	if start >= len(text) {
		return
	}
	switch text[start] {
	case '|', '>':
		st.block = parent + 1
	case '"', '\'', '[', '{':
		st.scan(n, text, start)
	default:
		st.plain = parent + 1
	}
}

// scan reads text from byte i on, inside quotes and flow collections: it
// opens and closes them until the line ends or the value does.
func (st *scanState) scan(n int, text string, i int) {
	col := func(i int) int { return 1 + utf8.RuneCountInString(text[:i]) }
	for i < len(text) {
		c := text[i]
		if q := st.quote; q != nil {
			switch {
			case q.ch == '"' && c == '\\':
				i += 2
				continue
			case q.ch == '\'' && c == '\'' && i+1 < len(text) && text[i+1] == '\'':
				i += 2
				continue
			case rune(c) == q.ch:
				st.quote = nil
				i++
				if st.afterQuote(n, text, i, col(i-1), rune(c)) || len(st.flow) == 0 {
					return
				}
				continue
			}
			i++
			continue
		}
		switch c {
		case ' ', '\t':
		case ',':
			st.inPlain = false
		case ':':
			st.inPlain = st.inPlain && i+1 < len(text) && text[i+1] != ' ' && text[i+1] != '\t'
		case '"', '\'':
			if !st.inPlain {
				st.quote = &mark{n, col(i), rune(c)}
			}
		case '[', '{':
			st.inPlain = false
			st.flow = append(st.flow, mark{n, col(i), rune(c)})
		case ']', '}':
			open := byte('[')
			if c == '}' {
				open = '{'
			}
			if len(st.flow) == 0 || st.flow[len(st.flow)-1].ch != rune(open) {
				st.stray = &mark{n, col(i), rune(c)}
				return
			}
			st.inPlain = false
			st.flow = st.flow[:len(st.flow)-1]
			if len(st.flow) == 0 {
				return // the value ends with its collection
			}
		case '#':
			if i > 0 && (text[i-1] == ' ' || text[i-1] == '\t') {
				return // a comment
			}
			st.inPlain = true
		default:
			st.inPlain = true
		}
		i++
	}
}

// afterQuote checks what follows a quoted value that has just closed at
// column at: the end of the line, a comment, a colon (the quoted text was a
// key) or, in a flow collection, a comma or its closing bracket. Anything
// else means the quote closed too early, and afterQuote says so.
func (st *scanState) afterQuote(n int, text string, i, at int, quote rune) bool {
	rest := strings.TrimLeft(text[i:], " \t")
	follows := "#:"
	if len(st.flow) > 0 {
		follows = "#:,]}"
	}
	if rest == "" || strings.ContainsRune(follows, rune(rest[0])) {
		return false
	}
	st.early = &mark{n, at, quote}
	return true
}

// skipProps skips an anchor (&a) or tag (!t) at byte i, and the spaces after.
func skipProps(text string, i int) int {
	for i < len(text) && (text[i] == '&' || text[i] == '!') {
		for i < len(text) && text[i] != ' ' {
			i++
		}
		for i < len(text) && text[i] == ' ' {
			i++
		}
	}
	return i
}

// byteAt returns the byte offset of a 1-based character column.
func byteAt(text string, col int) int {
	i := 0
	for c := 1; c < col && i < len(text); c++ {
		_, n := utf8.DecodeRuneInString(text[i:])
		i += n
	}
	return i
}
