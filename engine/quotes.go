package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// WithDocuments gives Load the policy's documents, by file name, so that it
// checks every source's quote against its document's text: a quote must be
// the document's own words. Spacing and the difference between straight and
// curly quotes or dashes do not count; case and spelling do. A document that
// is not in fsys, or is not UTF-8 text (a PDF, say), is not checked.
func WithDocuments(fsys fs.FS) LoadOption {
	return func(c *loadConfig) error {
		if fsys == nil {
			return errors.New("WithDocuments needs a file system")
		}
		c.documents = fsys
		return nil
	}
}

// quoteSite is a source's quote, to check once the documents are known.
type quoteSite struct {
	file  string
	quote *yaml.Node
}

// typographic maps the typographic quotes and dashes of published texts to
// ASCII, so that a quote typed with straight quotes matches the document.
var typographic = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", // ‘ ’
	"\u201C", `"`, "\u201D", `"`, // “ ”
	"\u2013", "-", "\u2014", "-", // – —
)

// normaliseQuote makes a text comparable with a quote, as WithDocuments
// compares them: typographic quotes and dashes become ASCII and every run of
// white space (including no-break spaces) becomes one space.
func normaliseQuote(s string) string {
	return strings.Join(strings.Fields(typographic.Replace(s)), " ")
}

// checkQuotes reports each quote its document does not contain.
func (b *builder) checkQuotes() {
	if b.cfg.documents == nil || len(b.quotes) == 0 {
		return
	}
	texts := map[string]string{}
	for _, q := range b.quotes {
		text, seen := texts[q.file]
		if !seen {
			text = b.documentText(q.file)
			texts[q.file] = text
		}
		if text == "" {
			continue
		}
		if want := normaliseQuote(q.quote.Value); want != "" && !strings.Contains(text, want) {
			pos, end := b.f.FirstLineSpan(q.quote)
			b.report(SeverityError, pos, end, "quote-not-found", fmt.Sprintf("%s does not contain %q", q.file, want),
				"copy the words exactly as "+q.file+" has them: a quote is checked word for word, in the same case")
		}
	}
}

// documentText returns a document's normalised text, or "" when it cannot be
// checked against.
func (b *builder) documentText(file string) string {
	if !b.docs[file] || !fs.ValidPath(file) {
		return "" // not one of the policy's documents: reported where it is cited
	}
	data, err := fs.ReadFile(b.cfg.documents, file)
	if err != nil || !utf8.Valid(data) {
		return ""
	}
	return normaliseQuote(string(data))
}
