package studio

import (
	"bytes"
	"html"
	"net/http"
	"strings"

	"github.com/safeguarding-partnerships/escalation/engine/document"
)

// DocumentView is a policy's document, rendered.
type DocumentView struct {
	HTML string `json:"html"`
}

// document writes a policy up as escalation doc does: dated today, with
// the file's checksum and its traceability matrix when it has one.
func (s *Server) document(w http.ResponseWriter, r *http.Request) {
	file := r.URL.Query().Get("file")
	p, ok := s.policy(w, file)
	if !ok {
		return
	}
	snap := s.snap.Load()
	opts := []document.Option{document.WithGenerated(s.today()), document.WithTool("escalation studio"), document.WithFile(snap.sources[file])}
	if t := snap.traces[file]; t != nil {
		opts = append(opts, document.WithTrace(t.matrix, t.problems))
	}
	var md bytes.Buffer
	if err := document.Write(&md, p, opts...); err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, DocumentView{HTML: markdownHTML(md.String())})
}

// markdownHTML renders the Markdown that package document writes, and no
// more: ATX headings, paragraphs, bulleted and numbered lists (with "[ ]"
// task boxes), block quotes, pipe tables with a header row, fenced code
// blocks (a mermaid block is left for the page to draw), and inline code
// spans, **strong** and *emphasised* text and backslash escapes. Everything is escaped: no
// HTML in the input reaches the page as HTML, whatever the policy says.
// Anything else is shown as the text it is.
func markdownHTML(md string) string {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); {
		line := lines[i]
		switch {
		case strings.TrimSpace(line) == "":
			i++
		case heading(line) > 0:
			n := heading(line)
			tag := "h" + string(rune('0'+n))
			b.WriteString("<" + tag + ">" + inline(strings.TrimSpace(line[n:])) + "</" + tag + ">\n")
			i++
		case strings.HasPrefix(line, "```"):
			i = fenced(&b, lines, i)
		case isTableRow(line) && i+1 < len(lines) && isTableRule(lines[i+1]):
			i = table(&b, lines, i)
		case listItem(line) != "":
			i = list(&b, lines, i)
		case strings.HasPrefix(line, ">"):
			b.WriteString("<blockquote>")
			for first := true; i < len(lines) && strings.HasPrefix(lines[i], ">"); i++ {
				if !first {
					b.WriteString("<br>")
				}
				first = false
				b.WriteString(inline(strings.TrimSpace(strings.TrimPrefix(lines[i], ">"))))
			}
			b.WriteString("</blockquote>\n")
		default:
			var para []string
			for ; i < len(lines) && strings.TrimSpace(lines[i]) != "" && heading(lines[i]) == 0 && listItem(lines[i]) == "" &&
				!strings.HasPrefix(lines[i], ">") && !isTableRow(lines[i]) && !strings.HasPrefix(lines[i], "```"); i++ {
				para = append(para, strings.TrimSpace(lines[i]))
			}
			if len(para) == 0 { // a table row without its rule: show it as text
				para, i = []string{lines[i]}, i+1
			}
			b.WriteString("<p>" + inline(strings.Join(para, " ")) + "</p>\n")
		}
	}
	return b.String()
}

// fenced writes a fenced code block, to its closing fence or the end: a
// mermaid block as <pre class="mermaid">, which the page draws, any other
// as code.
func fenced(b *strings.Builder, lines []string, i int) int {
	lang := strings.TrimSpace(strings.TrimPrefix(lines[i], "```"))
	var body []string
	for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
		body = append(body, lines[i])
	}
	text := html.EscapeString(strings.Join(body, "\n"))
	if lang == "mermaid" {
		b.WriteString(`<pre class="mermaid">` + text + "</pre>\n")
	} else {
		b.WriteString("<pre><code>" + text + "</code></pre>\n")
	}
	return min(i+1, len(lines))
}

// heading returns the level of an ATX heading line (1 to 6), or 0.
func heading(line string) int {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n >= len(line) || line[n] != ' ' {
		return 0
	}
	return n
}

// listItem returns "ul" or "ol" for a list item's line, or "".
func listItem(line string) string {
	if strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* ") {
		return "ul"
	}
	d := 0
	for d < len(line) && line[d] >= '0' && line[d] <= '9' {
		d++
	}
	if d > 0 && d < 10 && strings.HasPrefix(line[d:], ". ") {
		return "ol"
	}
	return ""
}

func list(b *strings.Builder, lines []string, i int) int {
	kind := listItem(lines[i])
	b.WriteString("<" + kind + ">\n")
	for ; i < len(lines) && listItem(lines[i]) == kind; i++ {
		_, item, _ := strings.Cut(lines[i], " ")
		box := ""
		switch {
		case strings.HasPrefix(item, "[ ] "):
			box, item = `<input type="checkbox" disabled> `, item[4:]
		case strings.HasPrefix(item, "[x] "):
			box, item = `<input type="checkbox" checked disabled> `, item[4:]
		}
		b.WriteString("<li>" + box + inline(item) + "</li>\n")
	}
	b.WriteString("</" + kind + ">\n")
	return i
}

func isTableRow(line string) bool {
	t := strings.TrimSpace(line)
	return len(t) >= 2 && strings.HasPrefix(t, "|") && strings.HasSuffix(t, "|")
}

func isTableRule(line string) bool {
	t := strings.TrimSpace(line)
	return isTableRow(t) && strings.Trim(t, "|-: ") == ""
}

func table(b *strings.Builder, lines []string, i int) int {
	b.WriteString("<table>\n<thead><tr>")
	for _, c := range cells(lines[i]) {
		b.WriteString("<th>" + inline(c) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for i += 2; i < len(lines) && isTableRow(lines[i]); i++ {
		b.WriteString("<tr>")
		for _, c := range cells(lines[i]) {
			b.WriteString("<td>" + inline(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	return i
}

// cells splits a table row at the pipes that are not escaped.
func cells(line string) []string {
	t := strings.TrimSpace(line)
	t = t[1 : len(t)-1]
	var (
		out []string
		cur strings.Builder
	)
	for j := 0; j < len(t); j++ {
		switch {
		case t[j] == '\\' && j+1 < len(t) && t[j+1] == '|':
			cur.WriteByte('|')
			j++
		case t[j] == '|':
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(t[j])
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// emphasis returns where the *emphasis* opening at i closes, or 0: the
// next single star with no space just inside either star.
func emphasis(s string, i int) int {
	if i+1 >= len(s) || s[i+1] == ' ' {
		return 0
	}
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\':
			j++
		case s[j] == '*' && j+1 < len(s) && s[j+1] == '*':
			return 0 // strong inside: not written by document
		case s[j] == '*':
			if s[j-1] == ' ' {
				return 0
			}
			return j
		}
	}
	return 0
}

// inline renders code spans, **strong** text and backslash escapes, and
// escapes everything else.
func inline(s string) string {
	var b strings.Builder
	strong := false
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_[]<>~#+-|!.(){}", s[i+1]) >= 0:
			b.WriteString(html.EscapeString(s[i+1 : i+2]))
			i += 2
		case s[i] == '`':
			n := 0
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			// The span ends at the next run of exactly n backticks.
			end := -1
			for j := i + n; j < len(s) && end < 0; {
				k := j
				for k < len(s) && s[k] == '`' {
					k++
				}
				switch {
				case k == j:
					j++
				case k-j == n:
					end = j
				default:
					j = k
				}
			}
			if end < 0 {
				b.WriteString(html.EscapeString(s[i : i+n]))
				i += n
				continue
			}
			code := s[i+n : end]
			if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
				code = code[1 : len(code)-1]
			}
			b.WriteString("<code>" + html.EscapeString(code) + "</code>")
			i = end + n
		case s[i] == '*' && !strings.HasPrefix(s[i:], "**") && emphasis(s, i) > 0:
			end := emphasis(s, i)
			b.WriteString("<em>" + inline(s[i+1:end]) + "</em>")
			i = end + 1
		case strings.HasPrefix(s[i:], "**") && (strong || strings.Contains(s[i+2:], "**")):
			if strong {
				b.WriteString("</strong>")
			} else {
				b.WriteString("<strong>")
			}
			strong = !strong
			i += 2
		default:
			j := i + 1
			for j < len(s) && s[j] != '\\' && s[j] != '`' && s[j] != '*' {
				j++
			}
			b.WriteString(html.EscapeString(s[i:j]))
			i = j
		}
	}
	if strong {
		b.WriteString("</strong>")
	}
	return b.String()
}
