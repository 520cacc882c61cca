package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/internal/safefile"
)

// maxDocumentBytes is the largest document WithDocuments reads to check
// quotes against: a published procedure as text is a few hundred KiB.
const maxDocumentBytes = 16 << 20

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

// checkQuotes reports each quote its document does not contain, and each
// document whose quotes cannot be checked: a check skipped in silence would
// read as one that passed.
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

// documentText returns a document's normalised text, or "" when it cannot
// be checked against, having warned why at the document.
func (b *builder) documentText(file string) string {
	if !b.docs[file] {
		return "" // not one of the policy's documents: reported where it is cited
	}
	const beside = "keep the document, as a text file, in the policy's folder"
	var (
		data      []byte
		err       = fs.ErrNotExist // a path out of the policy's folder is not beside it
		why, hint string
	)
	if fs.ValidPath(file) {
		data, err = safefile.ReadFS(b.cfg.documents, file, maxDocumentBytes)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		why, hint = "is not beside the policy", beside
	case err != nil:
		why, hint = "cannot be read ("+safefile.Reason(err)+")", beside
	case !utf8.Valid(data):
		why, hint = "is not text (UTF-8)", "save the document as plain text in the policy's folder and name that file here"
	default:
		return normaliseQuote(string(data))
	}
	for _, d := range b.p.Documents {
		if d.File == file {
			b.report(SeverityWarning, d.Pos, Pos{}, "document-not-checked", file+" "+why+", so the quotes from it are not checked", hint)
			break
		}
	}
	return ""
}
