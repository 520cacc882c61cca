package engine

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/calendar"
	"github.com/safeguarding-partnerships/escalation/internal/yamlfront"
)

var (
	identRE    = regexp.MustCompile(identPattern)
	policyIDRE = regexp.MustCompile(policyIDPattern)
)

// pair is one key and its value in a mapping.
type pair struct{ k, v *yaml.Node }

// obj is a mapping checked against its shape. Only keys of the shape whose
// values have the declared type are kept, so the code that builds the model
// reads values without checking them again.
type obj struct {
	sh    *shape
	slots []slot // one per key of the shape, in its order
}

// slot is what a mapping holds under one key of its shape.
type slot struct {
	key     *yaml.Node   // the key, if present (its first occurrence)
	val     *yaml.Node   // the value, aliases resolved, if of the declared type
	items   []*yaml.Node // a list's items that passed their checks
	entries []pair       // an id map's entries with valid ids
	parsed  any          // a date or timescale, parsed once
}

// slot returns what the mapping holds under key k of its shape.
func (o *obj) slot(k string) *slot {
	if i := o.sh.index(k); i >= 0 {
		return &o.slots[i]
	}
	return &slot{}
}

// sourceList is the list form of a kindSources value.
var sourceList = typ{kind: kindList, elem: &typ{kind: kindObject, shape: sourceShape}}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node { return yamlfront.Deref(n) }

// object checks mapping n against sh and reports unknown, duplicate and
// missing keys and values of the wrong type. at is where a missing key is
// reported: the key that names the element, or n itself.
func (b *builder) object(at, n *yaml.Node, sh *shape) *obj {
	o := &obj{sh: sh, slots: make([]slot, len(sh.fields))}
	m := deref(n)
	if m == nil || m.Kind != yaml.MappingNode {
		b.wrongType(n, yamlfront.Article(sh.name), &typ{kind: kindObject, shape: sh})
		return o
	}
	pairs := b.pairs(m)
	for j, p := range pairs {
		name := p.k.Value
		i := sh.index(name)
		switch {
		case i < 0 && sh.notHere[name] != "":
			b.errorAt(p.k, "key-not-allowed", sh.notHere[name], "%q is not allowed in %s", name, yamlfront.Article(sh.name))
			continue
		case i < 0:
			hint := b.sug.Hint(name, sh.keys())
			if j > 0 && splitByComma(m, pairs[j-1], p) {
				prev := pairs[j-1]
				hint = fmt.Sprintf("inside { } a comma ends a value: if this belongs to %s, put it in quotes: %s: %q",
					prev.k.Value, prev.k.Value, prev.v.Value+", "+name)
			}
			b.errorAt(p.k, "unknown-key", hint, "unknown key %q in %s", name, yamlfront.Article(sh.name))
			continue
		case o.slots[i].key != nil:
			b.errorAt(p.k, "duplicate-key", fmt.Sprintf("%q is already set at line %d; remove one", name, o.slots[i].key.Line), "duplicate key %q", name)
			continue
		}
		if f := &sh.fields[i]; f.since > b.lang {
			b.errorAt(p.k, "language-version", fmt.Sprintf("name the version that has it: language: %s (the file says %s)", f.since, b.lang),
				"%q is new in %s", name, f.since)
		}
		s := &o.slots[i]
		s.key = p.k
		if b.checkValue(s, name, p.v, &sh.fields[i].typ) {
			s.val = deref(p.v)
		}
	}
	b.checkPresence(o, at, sh)
	return o
}

// splitByComma reports whether pair p of flow mapping m looks like the rest
// of the scalar value of prev, the pair before it, cut off by a comma: words
// with no value of their own, where no key of the language has a space.
func splitByComma(m *yaml.Node, prev, p pair) bool {
	return m.Style&yaml.FlowStyle != 0 && prev.v.Kind == yaml.ScalarNode && strings.Contains(p.k.Value, " ") &&
		p.v.Kind == yaml.ScalarNode && p.v.Tag == "!!null" && p.v.Value == ""
}

// checkPresence reports missing required keys, keys present without their
// condition, and pairs of keys that exclude each other.
func (b *builder) checkPresence(o *obj, at *yaml.Node, sh *shape) {
	for i, f := range sh.fields {
		s := &o.slots[i]
		required := f.required
		if c := f.onlyIf; c != nil {
			sibling := o.node(c.key)
			if sibling == nil {
				continue
			}
			required = sibling.Value == c.value
			if s.key != nil && !required {
				b.errorAt(s.key, "key-not-allowed", "remove it, or set "+c.key+" to "+c.value, "%q applies only when %s is %s", f.name, c.key, c.value)
				*s = slot{key: s.key}
			}
		}
		if required && s.key == nil {
			b.errorAt(at, "missing-key", "add "+f.name+": …", "missing required key %q in this %s", f.name, sh.name)
		}
	}
	b.checkForms(o, at, sh)
	for _, x := range sh.exclusive {
		first, second := o.key(x[0]), o.key(x[1])
		if first != nil && second != nil {
			if second.Line < first.Line {
				second = first
			}
			b.errorAt(second, "key-not-allowed", "keep one of them", "use %s or %s, not both", x[0], x[1])
		}
	}
}

// checkForms reports an element written in none of its shape's forms, in
// more than one, or in part of one.
func (b *builder) checkForms(o *obj, at *yaml.Node, sh *shape) {
	if len(sh.forms) == 0 {
		return
	}
	var given [][]string // the forms with a key present
	for _, form := range sh.forms {
		if slices.ContainsFunc(form, func(k string) bool { return o.key(k) != nil }) {
			given = append(given, form)
		}
	}
	names := make([]string, len(sh.forms))
	for i, form := range sh.forms {
		names[i] = strings.Join(form, " and ")
	}
	choice := strings.Join(names[:len(names)-1], ", ") + ", or " + names[len(names)-1]
	switch len(given) {
	case 0:
		b.errorAt(at, "missing-key", "add "+choice, "%s needs %s", yamlfront.Article(sh.name), choice)
	case 1:
		for _, k := range given[0] {
			if o.key(k) == nil {
				b.errorAt(at, "missing-key", "add "+k+": …", "missing key %q in this %s: %s go together", k, sh.name, strings.Join(given[0], " and "))
			}
		}
	default:
		var later *yaml.Node // the key given last: the one to reconsider
		for _, form := range given {
			for _, k := range form {
				if n := o.key(k); n != nil && (later == nil || n.Line > later.Line || n.Line == later.Line && n.Column > later.Column) {
					later = n
				}
			}
		}
		b.errorAt(later, "key-not-allowed", "keep one of them", "%s takes %s, not more than one", yamlfront.Article(sh.name), choice)
	}
}

// pairs returns a mapping's keys and values in file order, with YAML merge
// keys (<<) expanded: explicit keys win over merged ones, and earlier merges
// over later ones. Keys that are not single values are reported and left out.
func (b *builder) pairs(m *yaml.Node) []pair {
	out := make([]pair, 0, len(m.Content)/2)
	var explicit, merged map[string]bool // only for a mapping with merge keys
	for i := 0; i+1 < len(m.Content); i += 2 {
		if isMerge(deref(m.Content[i])) {
			explicit, merged = map[string]bool{}, map[string]bool{}
			for j := 0; j+1 < len(m.Content); j += 2 {
				explicit[deref(m.Content[j]).Value] = true
			}
			break
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), m.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			b.errorAt(k, "wrong-type", "", "a key must be a single name, but this one is %s", describe(k))
		case !isMerge(k):
			out = append(out, pair{k, v})
		default:
			for _, src := range b.mergeSources(v) {
				for _, p := range b.pairs(src) {
					if !explicit[p.k.Value] && !merged[p.k.Value] {
						merged[p.k.Value] = true
						out = append(out, p)
					}
				}
			}
		}
	}
	return out
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Tag == "!!merge"
}

// mergeSources returns the mappings a merge key names: one, or a list.
func (b *builder) mergeSources(v *yaml.Node) []*yaml.Node {
	v2 := deref(v)
	var out []*yaml.Node
	switch v2.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{v2}
	case yaml.SequenceNode:
		for _, item := range v2.Content {
			if m := deref(item); m.Kind == yaml.MappingNode {
				out = append(out, m)
				continue
			}
			b.errorAt(item, "wrong-type", "", "a merge (<<) must name mappings, but this is %s", describe(item))
		}
		return out
	}
	b.errorAt(v, "wrong-type", "", "a merge (<<) must name a mapping, but this is %s", describe(v))
	return nil
}

// checkValue checks one value against its type, reporting what is wrong, and
// records what the getters need: a list's good items, an id map's entries,
// parsed dates and timescales.
func (b *builder) checkValue(s *slot, name string, n *yaml.Node, t *typ) bool {
	v := deref(n)
	label := strconv.Quote(name)
	switch t.kind {
	case kindList:
		if v.Kind != yaml.SequenceNode {
			b.wrongType(n, label, t)
			return false
		}
		s.items = b.listItems(name, v, t)
		if len(v.Content) < t.min {
			b.errorAt(n, "empty-value", "add at least one", "%s is empty", label)
		}
		return true
	case kindIDMap:
		if v.Kind != yaml.MappingNode {
			b.wrongType(n, label, t)
			return false
		}
		s.entries = b.idEntries(v, t.shape)
		if len(v.Content) < 2*t.min {
			b.errorAt(n, "empty-value", "add at least one "+t.shape.name, "%s is empty", label)
		}
		return true
	case kindObject:
		if v.Kind != yaml.MappingNode {
			b.wrongType(n, label, t)
			return false
		}
		return true
	case kindAny:
		return true
	case kindSources:
		if v.Kind == yaml.MappingNode {
			return true
		}
		if v.Kind == yaml.SequenceNode {
			s.items = b.listItems(name, v, &sourceList)
			return true
		}
		b.wrongType(n, label, t)
		return false
	}
	parsed, ok := b.checkScalar(label, n, t)
	s.parsed = parsed
	return ok
}

// checkScalar checks a single value, returning the date or timescale it
// parses to, if any.
func (b *builder) checkScalar(label string, n *yaml.Node, t *typ) (any, bool) {
	v := deref(n)
	if v.Kind != yaml.ScalarNode {
		b.wrongType(n, label, t)
		return nil, false
	}
	switch t.kind {
	case kindScalar:
		if v.Tag == "!!null" {
			b.wrongType(n, label, t)
			return nil, false
		}
		return nil, true
	case kindBool:
		if v.Tag != "!!bool" {
			b.wrongType(n, label, t)
			return nil, false
		}
		return nil, true
	case kindDate:
		if v.Tag != "!!timestamp" && v.Tag != "!!str" {
			b.wrongType(n, label, t)
			return nil, false
		}
		d, err := calendar.ParseDate(v.Value)
		if err != nil {
			b.errorAt(n, "bad-date", "", "%s", strings.TrimPrefix(err.Error(), "calendar: "))
			return nil, false
		}
		return d, true
	}
	if v.Tag != "!!str" {
		b.wrongType(n, label, t)
		return nil, false
	}
	if strings.TrimSpace(v.Value) == "" {
		b.errorAt(n, "empty-value", "write something, or remove the key", "%s is empty", label)
		return nil, false
	}
	switch t.kind {
	case kindEnum:
		if !slices.Contains(t.values, v.Value) {
			b.errorAt(n, "unknown-value", b.sug.Hint(v.Value, t.values), "%q is not a valid value for %s", v.Value, label)
			return nil, false
		}
	case kindPolicyID:
		if !policyIDRE.MatchString(v.Value) {
			b.errorAt(n, "invalid-id", "use a lower-case letter, then lower-case letters, digits, - and _", "%q is not a valid policy id", v.Value)
			return nil, false
		}
	case kindWithin:
		w, err := calendar.ParseWithin(v.Value)
		if err != nil {
			b.errorAt(n, "bad-timescale", "", "%s", strings.TrimPrefix(err.Error(), "calendar: "))
			return nil, false
		}
		return w, true
	case kindYearly:
		y, err := calendar.ParseYearly(v.Value)
		if err != nil {
			b.errorAt(n, "bad-yearly", "", "%s", strings.TrimPrefix(err.Error(), "calendar: "))
			return nil, false
		}
		return y, true
	}
	return nil, true
}

// listItems checks each item of a list and returns those that pass; an item
// listed twice is reported and kept once.
func (b *builder) listItems(name string, seq *yaml.Node, t *typ) []*yaml.Node {
	elem := t.elem
	label := "an item of " + strconv.Quote(name)
	var out []*yaml.Node
	seen := map[string]int{}
	for _, item := range seq.Content {
		if elem.kind == kindObject {
			if deref(item).Kind != yaml.MappingNode {
				b.wrongType(item, label, elem)
				continue
			}
			out = append(out, deref(item))
			continue
		}
		if _, ok := b.checkScalar(label, item, elem); !ok {
			continue
		}
		v := deref(item).Value
		if line, dup := seen[v]; dup {
			b.errorAt(item, "duplicate-item", fmt.Sprintf("it is already listed at line %d; remove one", line), "%q is listed twice in %q", v, name)
			continue
		}
		seen[v] = item.Line
		out = append(out, item)
	}
	return out
}

// idEntries returns the entries of a mapping from ids to elements whose ids
// are valid and not repeated, and whose values are mappings.
func (b *builder) idEntries(m *yaml.Node, sh *shape) []pair {
	var out []pair
	seen := map[string]*yaml.Node{}
	for _, p := range b.pairs(m) {
		id := p.k.Value
		switch {
		case seen[id] != nil:
			b.errorAt(p.k, "duplicate-id", fmt.Sprintf("it is already used at line %d; rename or remove one", seen[id].Line), "%s %q is declared twice", sh.name, id)
			continue
		case !identRE.MatchString(id):
			hint := "use a lower-case letter, then lower-case letters, digits and _"
			if s := identFor(id); s != "" {
				hint += `, e.g. "` + s + `"`
			}
			b.errorAt(p.k, "invalid-id", hint, "%q is not a valid id for %s", id, yamlfront.Article(sh.name))
			continue
		}
		seen[id] = p.k
		out = append(out, p)
	}
	return out
}

// wrongType reports a value of the wrong type, saying what was expected and
// what was found.
func (b *builder) wrongType(n *yaml.Node, label string, t *typ) {
	v := deref(n)
	hint := ""
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag != "!!str" && v.Tag != "!!null" && isTextKind(t.kind):
		hint = "put it in quotes: " + strconv.Quote(v.Value)
	case t.kind == kindBool:
		hint = "write true or false"
	case v.Kind == yaml.ScalarNode && v.Tag != "!!null" && t.kind == kindList:
		hint = "write it as a list: [" + v.Value + "]"
	case v.Kind == yaml.SequenceNode && t.kind == kindIDMap:
		hint = "write each " + t.shape.name + " as its id, a colon, and its keys indented below"
	}
	b.errorAt(n, "wrong-type", hint, "%s must be %s, but it is %s", label, expected(t), describe(n))
}

func isTextKind(k kind) bool {
	switch k {
	case kindText, kindGuard, kindRef, kindWithin, kindEnum, kindPolicyID, kindFrom, kindFactRef, kindYearly:
		return true
	}
	return false
}

// expected says what a type is, in a policy lead's words.
func expected(t *typ) string {
	switch t.kind {
	case kindScalar:
		return "a single value"
	case kindBool:
		return "true or false"
	case kindDate:
		return "a date (YYYY-MM-DD)"
	case kindList:
		return "a list"
	case kindObject:
		return "a mapping of keys to values"
	case kindIDMap:
		return "a mapping from ids to " + t.shape.name + "s"
	case kindSources:
		return "a source {file, quote} or a list of them"
	case kindAny:
		return "a value"
	}
	return "text"
}

// describe says what a node is, in a policy lead's words. It quotes at most
// the start of a value.
func describe(n *yaml.Node) string {
	v := deref(n)
	switch v.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	s := v.Value
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	switch v.Tag {
	case "!!null":
		return "empty"
	case "!!bool":
		return "the value " + s
	case "!!int", "!!float":
		return "the number " + s
	case "!!timestamp":
		return "the date " + s
	case "!!str":
		return "the text " + strconv.Quote(s)
	}
	return "a value tagged " + v.Tag
}

// describeKind says what a node is without quoting it, for values that may
// be personal data.
func describeKind(n *yaml.Node) string {
	v := deref(n)
	switch {
	case v.Kind == yaml.MappingNode:
		return "a mapping"
	case v.Kind == yaml.SequenceNode:
		return "a list"
	case v.Tag == "!!null":
		return "empty"
	case v.Tag == "!!bool":
		return "true or false"
	case v.Tag == "!!int" || v.Tag == "!!float":
		return "a number"
	case v.Tag == "!!timestamp":
		return "a date"
	case v.Tag == "!!str":
		return "text"
	}
	return "a value tagged " + v.Tag
}

// Getters for the values object kept.

func (o *obj) key(k string) *yaml.Node    { return o.slot(k).key }
func (o *obj) node(k string) *yaml.Node   { return o.slot(k).val }
func (o *obj) list(k string) []*yaml.Node { return o.slot(k).items }
func (o *obj) idmap(k string) []pair      { return o.slot(k).entries }

func (o *obj) str(k string) string {
	if v := o.node(k); v != nil {
		return v.Value
	}
	return ""
}

func (o *obj) flag(k string) bool {
	v := o.node(k)
	return v != nil && strings.EqualFold(v.Value, "true")
}

func (o *obj) date(k string) calendar.Date {
	d, _ := o.slot(k).parsed.(calendar.Date)
	return d
}

func (o *obj) yearly(k string) calendar.Yearly {
	y, _ := o.slot(k).parsed.(calendar.Yearly)
	return y
}

func (o *obj) within(k string) (calendar.Within, bool) {
	w, ok := o.slot(k).parsed.(calendar.Within)
	return w, ok
}

func (o *obj) strs(k string) []string {
	var out []string
	for _, n := range o.list(k) {
		out = append(out, deref(n).Value)
	}
	return out
}
