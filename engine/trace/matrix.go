package trace

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
)

// MaxSize is the largest matrix file Parse reads.
const MaxSize = 1 << 20

// Matrix is one policy's traceability table for one source document.
type Matrix struct {
	File     string // the name the matrix was parsed under
	Policy   string // the policy id
	Document string // the source document's file name, one of the policy's documents
	Entries  []*Entry
}

// Kind says how an entry accounts for its sentence.
type Kind string

// Kinds of entry.
const (
	Encoded    Kind = "encoded"
	Assumed    Kind = "assumption"
	NotEncoded Kind = "not_encoded"
)

// Entry is one sentence of the document and what accounts for it.
type Entry struct {
	Said   string
	Kind   Kind
	Refs   []Ref  // the elements named, for Encoded and Assumed
	Reason string // why not, for NotEncoded
	Pos    engine.Pos
}

// Ref names a policy element by its path (see the package documentation).
type Ref struct {
	Path string
	Pos  engine.Pos
}

// Parse reads a matrix file. Every problem is reported, with its position.
func Parse(name string, src []byte) (*Matrix, engine.Diagnostics) {
	m := &Matrix{File: name}
	var ds engine.Diagnostics
	at := func(n *yaml.Node) engine.Pos { return engine.Pos{File: name, Line: n.Line, Column: n.Column} }
	bad := func(n *yaml.Node, code, hint, format string, args ...any) {
		ds = append(ds, &engine.Diagnostic{Severity: engine.SeverityError, Pos: at(n), Message: fmt.Sprintf(format, args...), Hint: hint, Code: code})
	}
	if len(src) > MaxSize {
		bad(&yaml.Node{Line: 1, Column: 1}, "too-large", "split the document's matrix, or trace fewer sentences", "the matrix is %d bytes; the most is %d", len(src), MaxSize)
		return nil, ds
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		bad(&yaml.Node{Line: 1, Column: 1}, "yaml", "check the indentation and quoting", "YAML syntax: %v", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, ds
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		bad(&yaml.Node{Line: 1, Column: 1}, "not-a-matrix", "start with policy:, document: and sentences:", "a matrix is a mapping with policy, document and sentences")
		return nil, ds
	}
	root := doc.Content[0]
	var sentences *yaml.Node
	keys(root, []string{"policy", "document", "sentences"}, bad, func(k, v *yaml.Node) {
		switch k.Value {
		case "policy":
			m.Policy = scalar(v, k.Value, bad)
		case "document":
			m.Document = scalar(v, k.Value, bad)
		case "sentences":
			sentences = v
		}
	})
	for _, key := range []struct {
		name string
		set  bool
	}{{"policy", m.Policy != ""}, {"document", m.Document != ""}, {"sentences", sentences != nil}} {
		if !key.set {
			bad(root, "missing-key", "", "%s is required", key.name)
		}
	}
	if sentences == nil {
		return nil, ds
	}
	if sentences.Kind != yaml.SequenceNode {
		bad(sentences, "wrong-type", "write a list of entries, each starting with - said:", "sentences must be a list")
		return nil, ds
	}
	for _, n := range sentences.Content {
		if e := entry(n, at, bad); e != nil {
			m.Entries = append(m.Entries, e)
		}
	}
	if len(ds) > 0 {
		return nil, ds
	}
	return m, nil
}

type reporter func(n *yaml.Node, code, hint, format string, args ...any)

// keys walks a mapping's keys, reporting any not in known.
func keys(n *yaml.Node, known []string, bad reporter, each func(k, v *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case seen[k.Value]:
			bad(k, "duplicate-key", "", "%s is given twice", k.Value)
		case !contains(known, k.Value):
			bad(k, "unknown-key", suggest.Hint(k.Value, known), "unknown key %q", k.Value)
		default:
			each(k, v)
		}
		seen[k.Value] = true
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

func scalar(v *yaml.Node, key string, bad reporter) string {
	if v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
		bad(v, "wrong-type", "", "%s must be text", key)
		return ""
	}
	return v.Value
}

func entry(n *yaml.Node, at func(*yaml.Node) engine.Pos, bad reporter) *Entry {
	if n.Kind != yaml.MappingNode {
		bad(n, "wrong-type", "each entry is said: and one of encoded:, assumption: or not_encoded:", "an entry must be a mapping")
		return nil
	}
	e := &Entry{Pos: at(n)}
	var kinds []string
	keys(n, []string{"said", string(Encoded), string(Assumed), string(NotEncoded)}, bad, func(k, v *yaml.Node) {
		switch k.Value {
		case "said":
			e.Said = Normalise(scalar(v, k.Value, bad))
			return
		case string(NotEncoded):
			e.Reason = scalar(v, k.Value, bad)
		default:
			e.Refs = refs(v, k.Value, at, bad)
		}
		e.Kind = Kind(k.Value)
		kinds = append(kinds, k.Value)
	})
	switch {
	case e.Said == "":
		bad(n, "missing-key", "quote one whole sentence of the document", "said is required")
	case len(kinds) == 0:
		bad(n, "missing-key", "name the policy elements that encode it, the element whose assumption reads it, or why it is not encoded", "give one of encoded, assumption or not_encoded")
	case len(kinds) > 1:
		bad(n, "conflicting-keys", "an entry is either encoded, rests on an assumption, or is not encoded", "give only one of %s", strings.Join(kinds, ", "))
	}
	return e
}

func refs(v *yaml.Node, key string, at func(*yaml.Node) engine.Pos, bad reporter) []Ref {
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	if len(items) == 0 {
		bad(v, "empty-list", "", "%s names no element", key)
	}
	var out []Ref
	for _, it := range items {
		if p := scalar(it, key, bad); p != "" {
			out = append(out, Ref{Path: p, Pos: at(it)})
		}
	}
	return out
}
