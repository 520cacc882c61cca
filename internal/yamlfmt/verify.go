package yamlfmt

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// same checks that formatted says what text says: the same nodes (kind,
// tag, value, anchor) in the same places once both are put in rule's order
// (the order of a mapping's keys means nothing to YAML, but the order of the
// ids in a mapping the rule does not order is kept), and the same comments.
// The input's document is given parsed (and is reordered here: Format has
// done with it).
func same(doc *yaml.Node, formatted []byte, rule *Rule) error {
	after, err := parse(formatted)
	if err != nil {
		return fmt.Errorf("formatting would break the file (%v); it is left as it is: please report it", err)
	}
	if !slices.Equal(comments(doc), comments(after)) {
		return fmt.Errorf("formatting would lose or change a comment; the file is left as it is: please report it")
	}
	before, formattedRoot := rootOf(doc), rootOf(after)
	reorder(before, rule)
	reorder(formattedRoot, rule)
	if where := differ(before, formattedRoot); where != "" {
		return fmt.Errorf("formatting would change what the file says (%s); it is left as it is: please report it", where)
	}
	return nil
}

// reorder sorts the keys of each mapping in n by rule.
func reorder(n *yaml.Node, r *Rule) {
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		type pair struct{ k, v *yaml.Node }
		pairs := make([]pair, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
			reorder(n.Content[i+1], r.field(n.Content[i].Value))
		}
		if r.ordered() {
			sort.SliceStable(pairs, func(i, j int) bool { return r.rank(pairs[i].k.Value) < r.rank(pairs[j].k.Value) })
		}
		for i, p := range pairs {
			n.Content[2*i], n.Content[2*i+1] = p.k, p.v
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			reorder(c, r.items())
		}
	}
}

// differ says where two trees first differ, or "" when they do not.
func differ(a, b *yaml.Node) string {
	switch {
	case a == nil || b == nil:
		if a != b {
			return "one of them is empty"
		}
		return ""
	case a.Kind != b.Kind || a.ShortTag() != b.ShortTag() || a.Value != b.Value || a.Anchor != b.Anchor:
		return fmt.Sprintf("line %d: %s %q became %s %q", a.Line, a.ShortTag(), a.Value, b.ShortTag(), b.Value)
	case len(a.Content) != len(b.Content):
		return fmt.Sprintf("line %d: %d entries became %d", a.Line, len(a.Content), len(b.Content))
	}
	for i := range a.Content {
		if where := differ(a.Content[i], b.Content[i]); where != "" {
			return where
		}
	}
	return ""
}

// comments lists a document's comments as the parser read them, one line
// each, sorted: what is said, wherever the parser attached it.
func comments(doc *yaml.Node) []string {
	if doc == nil {
		return nil
	}
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			for _, l := range strings.Split(c, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc)
	sort.Strings(out)
	return out
}
