// Package yamlfmt rewrites a YAML file in a canonical layout without changing
// what it says: the keys of each block mapping in the order a Rule gives, two
// spaces of indentation per level (a list's dashes indented under their key),
// at most one blank line between entries, no trailing spaces, one final
// newline.
//
// It works on the file's lines, guided by the yaml.Node tree: every scalar
// and comment keeps its own text, so quoting, line breaks in long text and
// comments stay as the author wrote them. A flow collection ({a: 1, b: 2})
// on one line has its keys ordered too; one that runs over several lines
// keeps its own layout. An entry moves with
// the comments directly above it (blank lines between them included); the
// comments before a mapping's first key stay at its top, and those after its
// last entry, at the entries' indentation or less, stay at its end.
//
// Format checks its own work: it parses what it wrote and compares it with
// the input, reordered by the same rule, node by node (kinds, tags, values,
// anchors) and comment by comment. Anything it cannot lay out safely (a
// complex key, a block scalar that keeps its final blank lines) is an error,
// and the file is left as it was; it never returns a file that means
// something else.
package yamlfmt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Rule says how to order the keys of a mapping and what its values and items
// are. A nil Rule keeps every key where it is.
type Rule struct {
	// Keys is the order of the mapping's keys. A merge key (<<) comes first;
	// keys not listed keep their order after the listed ones. With no Keys,
	// every key keeps its place (a mapping of ids, in the order the file
	// chose).
	Keys []string
	// Fields is the rule of the value under each key; Values that of the
	// value under any key not in Fields.
	Fields map[string]*Rule
	Values *Rule
	// Items is the rule of a list's items.
	Items *Rule
}

func (r *Rule) field(key string) *Rule {
	if r == nil {
		return nil
	}
	if f, ok := r.Fields[key]; ok {
		return f
	}
	return r.Values
}

func (r *Rule) items() *Rule {
	if r == nil {
		return nil
	}
	return r.Items
}

// rank places a key: the merge key first, then the listed keys in order,
// then the rest.
func (r *Rule) rank(key string) int {
	if key == "<<" {
		return -1
	}
	if r == nil {
		return 0
	}
	if i := slices.Index(r.Keys, key); i >= 0 {
		return i
	}
	return len(r.Keys)
}

// ordered reports whether the rule orders a mapping's keys.
func (r *Rule) ordered() bool { return r != nil && len(r.Keys) > 0 }

// Format returns src laid out canonically, with each block mapping's keys
// in the order rule gives. src must hold one YAML document.
func Format(src []byte, rule *Rule) ([]byte, error) {
	text := normalise(src)
	doc, err := parse(text)
	if err != nil {
		return nil, err
	}
	root := rootOf(doc)
	f := &formatter{lines: strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")}
	var out []string
	switch {
	case root == nil:
		out = f.loose(0, len(f.lines), 0) // comments alone
	case root.Kind == yaml.MappingNode && root.Style&yaml.FlowStyle == 0 && len(root.Content) > 0:
		out, err = f.mapping(root, 0, len(f.lines), 0, rule)
	default:
		out = f.verbatim(0, len(f.lines), 0, false)
	}
	if err != nil {
		return nil, err
	}
	formatted := []byte(strings.Join(trimBlank(out), "\n") + "\n")
	if len(bytes.TrimSpace(formatted)) == 0 {
		formatted = nil
	}
	if err := same(doc, formatted, rule); err != nil {
		return nil, err
	}
	return formatted, nil
}

// normalise drops a byte order mark and turns CRLF and CR line ends into
// LF, which YAML reads alike.
func normalise(src []byte) []byte {
	src = bytes.TrimPrefix(src, []byte("\uFEFF"))
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(src, []byte("\r"), []byte("\n"))
}

// parse reads the single document (nil for a file with nothing but
// comments, or nothing at all).
func parse(text []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, err
		}
		return nil, errors.New("the file holds more than one YAML document")
	}
	return &doc, nil
}

// rootOf is a document's content, or nil.
func rootOf(doc *yaml.Node) *yaml.Node {
	if doc == nil || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

type formatter struct {
	lines []string // the source, without line ends
}

func indentOf(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

func blank(line string) bool { return strings.TrimSpace(line) == "" }

func comment(line string) bool { return strings.HasPrefix(strings.TrimSpace(line), "#") }

// shifted moves a line by delta columns (never left of the margin); keep
// keeps its trailing spaces, which a block scalar's text may hold.
func shifted(line string, delta int, keep bool) string {
	if !keep {
		line = strings.TrimRight(line, " \t")
	}
	if blank(line) && !keep {
		return ""
	}
	if delta >= 0 {
		return strings.Repeat(" ", delta) + line
	}
	return line[min(-delta, indentOf(line)):]
}

// verbatim returns lines [lo, hi) moved by delta.
func (f *formatter) verbatim(lo, hi, delta int, keep bool) []string {
	out := make([]string, 0, hi-lo)
	for _, l := range f.lines[lo:hi] {
		out = append(out, shifted(l, delta, keep))
	}
	return out
}

// loose returns comment and blank lines [lo, hi) moved by delta, with runs of
// blank lines made one.
func (f *formatter) loose(lo, hi, delta int) []string {
	var out []string
	for _, l := range f.lines[lo:hi] {
		if blank(l) {
			if len(out) > 0 && out[len(out)-1] != "" {
				out = append(out, "")
			}
			continue
		}
		out = append(out, shifted(l, delta, false))
	}
	return out
}

// trimBlank drops blank lines at both ends.
func trimBlank(lines []string) []string {
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// entry is one key and value of a mapping, or one item of a list, with the
// lines it spans: [start, end), where start is that of the comments directly
// above it and at is the line of its key or dash.
type entry struct {
	key        string
	rank       int
	start, at  int
	end        int
	blankAbove bool // a blank line separates it from what comes before
	lines      []string
}

// split divides [lo, hi) into the entries whose key or dash lines are at,
// at column col: each takes the comments and blank lines above it that are
// no further right than col (the first entry, only the comments right above
// it). It returns the lines before the first entry (lead) and after the last
// one's text (foot) apart, as they stay in place.
func (f *formatter) split(at []int, lo, hi, col int, keeps []bool) (entries []entry, leadEnd, footStart int) {
	above := func(line, floor int, blanks bool) int {
		for line > floor && (blanks && blank(f.lines[line-1]) || comment(f.lines[line-1]) && indentOf(f.lines[line-1]) <= col) {
			line--
		}
		return line
	}
	entries = make([]entry, len(at))
	for i, l := range at {
		entries[i].at = l
		entries[i].start = l
		switch {
		case i == 0:
			entries[i].start = above(l, lo, false)
			for leadEnd = entries[i].start; leadEnd > lo && blank(f.lines[leadEnd-1]); leadEnd-- {
				entries[i].blankAbove = true
			}
		case !keeps[i-1]:
			entries[i].start = above(l, at[i-1]+1, true)
		}
	}
	footStart = hi
	if n := len(at); !keeps[n-1] {
		footStart = above(hi, at[n-1]+1, true)
	}
	for i := range entries {
		e := &entries[i]
		e.end = footStart
		if i+1 < len(entries) {
			e.end = entries[i+1].start
		}
		for e.start < e.at && blank(f.lines[e.start]) {
			e.start++
			e.blankAbove = true
		}
	}
	return entries, leadEnd, footStart
}

// assemble lays out a block collection: its lead (and a blank line after
// it if it had one), its entries in order (one blank line before each that
// had one, but none at the top), and its foot.
func (f *formatter) assemble(entries []entry, lo, leadEnd, footStart, hi, delta int, leadBlank bool) []string {
	out := trimBlank(f.loose(lo, leadEnd, delta))
	if len(out) > 0 && leadBlank {
		out = append(out, "")
	}
	for _, e := range entries {
		if e.blankAbove && len(out) > 0 && out[len(out)-1] != "" {
			out = append(out, "")
		}
		out = append(out, e.lines...)
	}
	if foot := f.loose(footStart, hi, delta); len(trimBlank(foot)) > 0 {
		out = append(out, foot...)
	}
	return out
}

// mapping lays out block mapping m, whose lines are [lo, hi), with its keys
// at column indent.
func (f *formatter) mapping(m *yaml.Node, lo, hi, indent int, r *Rule) ([]string, error) {
	col := m.Content[0].Column - 1
	at := make([]int, 0, len(m.Content)/2)
	keeps := make([]bool, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Column-1 != col || strings.Contains(k.Value, "\n") ||
			strings.HasPrefix(strings.TrimSpace(f.lines[k.Line-1]), "?") {
			return nil, fmt.Errorf("line %d: a complex key cannot be formatted; write it as a plain key", k.Line)
		}
		at = append(at, k.Line-1)
		keeps = append(keeps, keepsTrailingLines(v, f.lines))
	}
	entries, leadEnd, footStart := f.split(at, lo, hi, col, keeps)
	delta := indent - col
	for i := range entries {
		e := &entries[i]
		k, v := m.Content[2*i], m.Content[2*i+1]
		e.key, e.rank = k.Value, r.rank(k.Value)
		head := f.loose(e.start, e.at, delta)
		body, err := f.value(v, e.at, e.end, indent, delta, r.field(k.Value))
		if err != nil {
			return nil, err
		}
		e.lines = append(head, body...)
	}
	leadBlank := entries[0].blankAbove
	if r.ordered() {
		sort.SliceStable(entries, func(i, j int) bool { return entries[i].rank < entries[j].rank })
	}
	return f.assemble(entries, lo, leadEnd, footStart, hi, delta, leadBlank), nil
}

// value lays out the key line at and the value after it, up to end, for a
// key that goes at column indent (delta from where it is).
func (f *formatter) value(v *yaml.Node, at, end, indent, delta int, r *Rule) ([]string, error) {
	block := v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0
	switch {
	case block && v.Kind == yaml.MappingNode && v.Content[0].Line-1 > at:
		inner, err := f.mapping(v, at+1, end, indent+2, r)
		return append([]string{shifted(f.lines[at], delta, false)}, inner...), err
	case block && v.Kind == yaml.SequenceNode && v.Line-1 > at:
		inner, err := f.sequence(v, at+1, end, indent+2, r.items())
		return append([]string{shifted(f.lines[at], delta, false)}, inner...), err
	}
	return f.text(v, at, end, indent, delta, r), nil
}

// text lays out a value that is not a block collection (a scalar, a flow
// collection, an alias) on line at and the lines after it up to end: the
// first line moved by delta, the rest as a block two columns right of
// indent, keeping their own indentation relative to each other. Only a block
// scalar that states its indentation (|2) keeps its place relative to the
// key instead.
func (f *formatter) text(v *yaml.Node, at, end, indent, delta int, r *Rule) []string {
	literal := v.Kind == yaml.ScalarNode && v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	shift := delta
	if low, ok := f.lowest(at+1, end); ok && !(literal && statesIndent(v, f.lines)) {
		shift = indent + 2 - low
	}
	first := f.lines[at]
	if v.Style&yaml.FlowStyle != 0 && v.Line-1 == at {
		if text, end, ok := flow(first, v, r); ok {
			first = first[:v.Column-1] + text + first[end:]
		}
	}
	out := []string{shifted(first, delta, false)}
	return append(out, f.verbatim(at+1, end, shift, literal)...)
}

// flow rewrites the flow collection n, which starts on line, with its
// mappings' keys in r's order and one space after each comma, if it ends on
// the same line. It returns the new text and where the old one ended.
func flow(line string, n *yaml.Node, r *Rule) (string, int, bool) {
	start := n.Column - 1
	spans, end, ok := flowItems(line, start)
	if !ok {
		return "", 0, false
	}
	switch {
	case n.Kind == yaml.MappingNode && len(spans) == len(n.Content)/2:
		items := make([]entry, len(spans))
		for i, sp := range spans {
			k, v := n.Content[2*i], n.Content[2*i+1]
			text, ok := flowItem(line, sp, v, r.field(k.Value))
			if !ok {
				return "", 0, false
			}
			items[i] = entry{key: k.Value, rank: r.rank(k.Value), lines: []string{text}}
		}
		if r.ordered() {
			sort.SliceStable(items, func(i, j int) bool { return items[i].rank < items[j].rank })
		}
		texts := make([]string, len(items))
		for i, it := range items {
			texts[i] = it.lines[0]
		}
		return "{" + strings.Join(texts, ", ") + "}", end, true
	case n.Kind == yaml.SequenceNode && len(spans) == len(n.Content):
		texts := make([]string, len(spans))
		for i, sp := range spans {
			text, ok := flowItem(line, sp, n.Content[i], r.items())
			if !ok {
				return "", 0, false
			}
			texts[i] = text
		}
		return "[" + strings.Join(texts, ", ") + "]", end, true
	}
	return "", 0, false
}

// flowItem is the text of one entry of a flow collection, span of line, whose
// value v is rewritten in turn if it is a flow collection itself.
func flowItem(line string, span [2]int, v *yaml.Node, r *Rule) (string, bool) {
	if v.Style&yaml.FlowStyle == 0 || v.Kind != yaml.MappingNode && v.Kind != yaml.SequenceNode {
		return line[span[0]:span[1]], true
	}
	at := v.Column - 1
	if at < span[0] || at >= span[1] {
		return "", false
	}
	text, end, ok := flow(line, v, r)
	if !ok || end != span[1] {
		return "", false
	}
	return line[span[0]:at] + text, true
}

// flowItems finds the entries of the flow collection whose bracket is at
// line[start]: each entry's span, without the spaces around it, and where
// the collection ends (after its closing bracket). ok is false when it does
// not end on this line.
func flowItems(line string, start int) (spans [][2]int, end int, ok bool) {
	if start < 0 || start >= len(line) || line[start] != '{' && line[start] != '[' {
		return nil, 0, false
	}
	depth, from := 0, start+1
	cut := func(to int) {
		if s := strings.TrimSpace(line[from:to]); s != "" {
			lead := from + strings.Index(line[from:to], s)
			spans = append(spans, [2]int{lead, lead + len(s)})
		}
	}
	prev := byte('{') // the last character that is not a space
	for i := start + 1; i < len(line); i, prev = i+1, nonSpace(prev, line[i]) {
		switch c := line[i]; c {
		case '"', '\'':
			if !strings.ContainsRune("{[,:", rune(prev)) {
				continue // a quote inside plain text (Child's initials)
			}
			j := closingQuote(line, i)
			if j < 0 {
				return nil, 0, false
			}
			i = j
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				cut(i)
				return spans, i + 1, true
			}
			depth--
		case ',':
			if depth == 0 {
				cut(i)
				from = i + 1
			}
		case '#':
			if line[i-1] == ' ' || line[i-1] == '\t' {
				return nil, 0, false // a comment: the collection goes on to another line
			}
		}
	}
	return nil, 0, false
}

func nonSpace(prev, c byte) byte {
	if c == ' ' || c == '\t' {
		return prev
	}
	return c
}

// closingQuote returns the index of the quote that closes the one at
// line[i], or -1 if it is not on this line.
func closingQuote(line string, i int) int {
	q := line[i]
	for j := i + 1; j < len(line); j++ {
		switch {
		case q == '"' && line[j] == '\\':
			j++
		case line[j] == q && q == '\'' && j+1 < len(line) && line[j+1] == '\'':
			j++
		case line[j] == q:
			return j
		}
	}
	return -1
}

// lowest is the least indentation of the lines [lo, hi) that are not blank.
func (f *formatter) lowest(lo, hi int) (int, bool) {
	low, ok := 0, false
	for _, l := range f.lines[lo:hi] {
		if !blank(l) && (!ok || indentOf(l) < low) {
			low, ok = indentOf(l), true
		}
	}
	return low, ok
}

// sequence lays out block list s, whose lines are [lo, hi), with its dashes
// at column indent.
func (f *formatter) sequence(s *yaml.Node, lo, hi, indent int, r *Rule) ([]string, error) {
	col := s.Column - 1
	at := make([]int, len(s.Content))
	keeps := make([]bool, len(s.Content))
	floor := lo
	for i, it := range s.Content {
		d := it.Line - 1
		for d >= floor && !isDash(f.lines[d], col) {
			d--
		}
		if d < floor {
			return nil, fmt.Errorf("line %d: cannot find the dash of this list item", it.Line)
		}
		at[i], keeps[i], floor = d, keepsTrailingLines(it, f.lines), d+1
	}
	entries, leadEnd, footStart := f.split(at, lo, hi, col, keeps)
	delta := indent - col
	for i := range entries {
		e := &entries[i]
		it := s.Content[i]
		head := f.loose(e.start, e.at, delta)
		body, err := f.item(it, e.at, e.end, indent, delta, r)
		if err != nil {
			return nil, err
		}
		e.lines = append(head, body...)
	}
	return f.assemble(entries, lo, leadEnd, footStart, hi, delta, entries[0].blankAbove), nil
}

func isDash(line string, col int) bool {
	return len(line) > col && indentOf(line) == col && line[col] == '-' && (len(line) == col+1 || line[col+1] == ' ')
}

// item lays out one list item whose dash is on line at, at column indent.
// A mapping that starts on the dash's line is laid out as a mapping whose
// keys are two columns right of the dash.
func (f *formatter) item(it *yaml.Node, at, end, indent, delta int, r *Rule) ([]string, error) {
	if it.Kind != yaml.MappingNode || it.Style&yaml.FlowStyle != 0 || len(it.Content) == 0 || it.Content[0].Line-1 != at {
		return f.text(it, at, end, indent, delta, r), nil
	}
	dash := f.lines[at]
	col := indentOf(dash)
	f.lines[at] = dash[:col] + " " + dash[col+1:] // the mapping's first line, without its dash
	lines, err := f.mapping(it, at, end, indent+2, r)
	f.lines[at] = dash
	if err != nil {
		return nil, err
	}
	// The dash goes on the first key line; comments that moved above it
	// with their key stay above, lined up with the dash.
	for i, l := range lines {
		if !blank(l) && !comment(l) {
			lines[i] = l[:indent] + "-" + l[indent+1:]
			break
		}
		lines[i] = shifted(l, indent-indentOf(l), false)
	}
	return lines, nil
}

// keepsTrailingLines reports whether v is a block scalar that keeps its
// final blank lines (|+ or >+): they are its text, not spacing.
func keepsTrailingLines(v *yaml.Node, lines []string) bool {
	return strings.Contains(blockHeader(v, lines), "+")
}

// statesIndent reports whether v is a block scalar whose header states its
// indentation (|2): its text must stay where it is relative to its key.
func statesIndent(v *yaml.Node, lines []string) bool {
	return strings.ContainsAny(blockHeader(v, lines), "123456789")
}

// blockHeader is a block scalar's header (|, >-, |2+ …), or "".
func blockHeader(v *yaml.Node, lines []string) string {
	if v.Kind != yaml.ScalarNode || v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 || v.Line < 1 || v.Line > len(lines) {
		return ""
	}
	header := lines[v.Line-1][min(v.Column-1, len(lines[v.Line-1])):]
	header, _, _ = strings.Cut(header, " ")
	return header
}
