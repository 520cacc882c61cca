package trace

import (
	"regexp"
	"strings"
)

// Sentence is one sentence of a source document and the line it starts on.
type Sentence struct {
	Text string
	Line int
}

// markup is what text extraction leaves in the seeds that a reader never
// sees: Word bookmarks and footnote references, underline tags, bold marks,
// and the replacement character that stands for a lost footnote mark.
var markup = []*regexp.Regexp{
	regexp.MustCompile(`\[bookmark: [^\]]*\]`),
	regexp.MustCompile(`\[footnoteRef:\d+\]`),
	regexp.MustCompile(`\[\d+:[^\]]*\]`),
	regexp.MustCompile(`</?u>`),
	regexp.MustCompile(`\*\*`),
	regexp.MustCompile("\uFFFD"), // a footnote mark lost in extraction
}

// typographic maps typographic quotes and dashes to ASCII, as quotes are
// compared (engine.WithDocuments).
var typographic = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'",
	"\u201C", `"`, "\u201D", `"`,
	"\u2013", "-", "\u2014", "-",
)

// Normalise makes a sentence comparable: typographic quotes and dashes
// become ASCII, and every run of white space one space.
func Normalise(s string) string {
	return strings.Join(strings.Fields(typographic.Replace(s)), " ")
}

// sentenceEnd is a full stop, question or exclamation mark, with any closing
// quote or bracket, and the space after it.
var sentenceEnd = regexp.MustCompile(`[.?!]["')]*\s+`)

// Sentences splits a document's text into its sentences, in order, each
// once, with the line each starts on (see the package documentation).
func Sentences(text []byte) []Sentence {
	// A paragraph keeps where each of its lines starts, so that a sentence
	// reports the line it starts on.
	type para struct {
		text   string
		starts []int // the offset in text where each line begins
		lines  []int
	}
	var paras []para
	for i, l := range strings.Split(string(text), "\n") {
		for _, re := range markup {
			l = re.ReplaceAllString(l, "")
		}
		l = Normalise(strings.TrimLeft(strings.TrimSpace(l), "-•· "))
		if l == "" {
			continue
		}
		if n := len(paras); n > 0 && continues(l) {
			p := &paras[n-1]
			p.text += " "
			p.starts, p.lines = append(p.starts, len(p.text)), append(p.lines, i+1)
			p.text += l
			continue
		}
		paras = append(paras, para{text: l, starts: []int{0}, lines: []int{i + 1}})
	}
	seen := map[string]bool{}
	var out []Sentence
	for _, p := range paras {
		for _, at := range split(p.text) {
			s := strings.TrimSpace(p.text[at[0]:at[1]])
			if seen[s] {
				continue
			}
			seen[s] = true
			line := p.lines[0]
			for k, start := range p.starts {
				if start <= at[0] {
					line = p.lines[k]
				}
			}
			out = append(out, Sentence{Text: s, Line: line})
		}
	}
	return out
}

// continues reports whether a line carries on the paragraph before it: it
// starts in lower case or with punctuation.
func continues(l string) bool {
	c := l[0]
	return c >= 'a' && c <= 'z' || c == '.' || c == ',' || c == ';' || c == ')'
}

// split breaks a paragraph at each sentence end followed by what can start a
// sentence, returning each sentence's start and end offsets.
func split(p string) [][2]int {
	var out [][2]int
	start := 0
	for _, m := range sentenceEnd.FindAllStringIndex(p, -1) {
		if m[1] < len(p) && startsSentence(p[m[1]]) {
			out = append(out, [2]int{start, m[1]})
			start = m[1]
		}
	}
	if strings.TrimSpace(p[start:]) != "" {
		out = append(out, [2]int{start, len(p)})
	}
	return out
}

func startsSentence(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '"' || c == '\'' || c == '('
}

// cues are the words that make a sentence rule-bearing, by kind (see the
// package documentation).
var cues = regexp.MustCompile(`(?i)\b(working days?|days?|hours?|immediately|without delay|as soon as possible|urgent|urgently|urgency|within|timescales?|timely|earliest opportunity|must|should|shall|can request|needs? to|requires?|required|escalated?|escalates|escalating|refer|referral|referred|complaints?|whistle|grievance|conference|adviser|records?|recorded|form|log|report|in writing|letter|e-?mail|managers?|head of service|directors?|chair|lead|supervisor|representatives?|executive|scrutineer|designated)\b`)

// RuleBearing reports whether a sentence states, or may state, a timescale,
// duty, role, form, record or route, and the cue that says so.
func RuleBearing(s string) (cue string, ok bool) {
	m := cues.FindString(s)
	return m, m != ""
}
