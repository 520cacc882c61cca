package policies_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// The policies cite the published procedures, vendored unchanged here so that
// the repository tests without anything outside it.
const sourcesDir = "testdata/sources"

// schemaLine is the first line of every policy file.
const schemaLine = "# yaml-language-server: $schema=./policy.schema.json"

// idMaps are the keys whose values are maps from identifiers to elements: in
// them a key is an id (a form field could be called "source"), not a keyword.
var idMaps = map[string]bool{
	"roles": true, "facts": true, "milestones": true, "forms": true, "stages": true,
	"outcomes": true, "obligations": true, "fields": true, "sections": true,
}

// mustCite lists, for each element map, the elements that must carry a
// source: "roles" means every value of the top-level roles map, and so on.
var mustCite = []string{
	"roles.*", "milestones.*", "forms.*", "stages.*", "stages.*.obligations.*",
	"stages.*.records[]", "outcomes.*", "outcomes.*.records[]", "outcomes.*.obligations.*",
}

// vendoredSeeds lists the vendored source documents by file name.
func vendoredSeeds(t *testing.T) map[string]bool {
	t.Helper()
	entries, err := os.ReadDir(sourcesDir)
	if err != nil {
		t.Fatalf("reading the vendored sources: %v", err)
	}
	seeds := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".txt") {
			seeds[e.Name()] = true
		}
	}
	if len(seeds) == 0 {
		t.Fatalf("no source documents in %s", sourcesDir)
	}
	return seeds
}

// checkPolicy returns every citation problem in one policy file that Load
// does not report: a document that is not vendored, a source naming a file
// that is not one of its documents, and an element that must cite and does
// not. (Load, given the documents, checks the quotes: TestPolicyQuotes.)
func checkPolicy(name string, src []byte, seeds map[string]bool) []string {
	var problems []string
	report := func(n *yaml.Node, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d:%d: %s", name, n.Line, n.Column, fmt.Sprintf(format, args...)))
	}

	if first, _, _ := strings.Cut(string(src), "\n"); strings.TrimRight(first, "\r") != schemaLine {
		problems = append(problems, fmt.Sprintf("%s:1:1: the first line must be %q", name, schemaLine))
	}

	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return append(problems, fmt.Sprintf("%s: %v", name, err))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return append(problems, fmt.Sprintf("%s: the policy is not a YAML mapping", name))
	}
	root := doc.Content[0]

	if id := get(root, "id"); id == nil || id.Value != strings.TrimSuffix(filepath.Base(name), ".yaml") {
		report(root, "the policy id must be the file name without .yaml")
	}

	// The documents the policy names: each must be vendored.
	documents := map[string]bool{}
	if docs := get(root, "documents"); docs != nil {
		for _, d := range docs.Content {
			f := get(d, "file")
			if f == nil {
				report(d, "a document has no file")
				continue
			}
			documents[f.Value] = true
			if !seeds[f.Value] {
				report(f, "document %q is not vendored in %s", f.Value, sourcesDir)
			}
		}
	}
	if len(documents) == 0 {
		report(root, "the policy names no documents")
	}

	checkSource := func(cite *yaml.Node) {
		cite = deref(cite)
		switch cite.Kind {
		case yaml.SequenceNode:
			if len(cite.Content) == 0 {
				report(cite, "an empty source list")
			}
			for _, c := range cite.Content {
				checkOne(deref(c), documents, report)
			}
		default:
			checkOne(cite, documents, report)
		}
	}

	// Every source anywhere in the file.
	var walk func(n *yaml.Node, ids bool)
	walk = func(n *yaml.Node, ids bool) {
		n = deref(n)
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if !ids && k.Value == "source" {
					checkSource(v)
					continue
				}
				walk(v, !ids && idMaps[k.Value])
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, false)
			}
		}
	}
	walk(root, false)

	// The elements that must cite.
	for _, path := range mustCite {
		for _, el := range elements(root, strings.Split(path, ".")) {
			if get(el.node, "source") == nil {
				report(el.node, "%s has no source", el.path)
			}
		}
	}
	return problems
}

// checkOne checks a single {file, quote} citation.
func checkOne(c *yaml.Node, documents map[string]bool, report func(*yaml.Node, string, ...any)) {
	if c.Kind != yaml.MappingNode {
		report(c, "a source must be {file, quote}")
		return
	}
	file, quote := get(c, "file"), get(c, "quote")
	if file == nil || quote == nil || strings.TrimSpace(quote.Value) == "" {
		report(c, "a source needs both file and quote")
		return
	}
	if !documents[file.Value] {
		report(file, "source file %q is not one of the policy's documents", file.Value)
	}
}

type element struct {
	path string
	node *yaml.Node
}

// elements follows a path such as "stages.*.obligations.*" or
// "stages.*.records[]" from the root, returning the elements it reaches.
func elements(root *yaml.Node, path []string) []element {
	cur := []element{{"", root}}
	for _, step := range path {
		var next []element
		for _, el := range cur {
			switch {
			case step == "*":
				if n := deref(el.node); n.Kind == yaml.MappingNode {
					for i := 0; i+1 < len(n.Content); i += 2 {
						next = append(next, element{el.path + "." + n.Content[i].Value, deref(n.Content[i+1])})
					}
				}
			case strings.HasSuffix(step, "[]"):
				key := strings.TrimSuffix(step, "[]")
				if n := get(el.node, key); n != nil && n.Kind == yaml.SequenceNode {
					for i, c := range n.Content {
						next = append(next, element{fmt.Sprintf("%s.%s[%d]", el.path, key, i), deref(c)})
					}
				}
			default:
				if n := get(el.node, step); n != nil {
					next = append(next, element{el.path + "." + step, n})
				}
			}
		}
		cur = next
	}
	for i := range cur {
		cur[i].path = strings.TrimPrefix(cur[i].path, ".")
	}
	return cur
}

// get returns the value of key in a mapping node, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// policyFiles lists the policy files in this directory.
func policyFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// TestSourcesVendored checks the five published procedures and their README
// are vendored, so the citations can be checked without /work/shared.
func TestSourcesVendored(t *testing.T) {
	for _, f := range []string{
		"README.md",
		"000_11160ea6dbad09b5.txt",
		"001_311d82fbfd31959e.txt",
		"002_9db460535f5bd466.txt",
		"003_b5b5caa8bef1aa92.txt",
		"004_b48dbb7f189c3bc7.txt",
	} {
		if _, err := os.Stat(filepath.Join(sourcesDir, f)); err != nil {
			t.Errorf("vendored source missing: %v", err)
		}
	}
}

// TestPolicyQuotes checks that every quote in every policy is the published
// document's own words (Load checks them, given the vendored documents), and
// that every stage, role, obligation, form, record, milestone and outcome
// cites one.
func TestPolicyQuotes(t *testing.T) {
	seeds := vendoredSeeds(t)
	documents := os.DirFS(sourcesDir)
	want := []string{"croydon.yaml", "gloucestershire.yaml", "isle-of-man.yaml", "sefton.yaml", "staffordshire-stoke.yaml"}
	files := policyFiles(t)
	have := map[string]bool{}
	for _, f := range files {
		have[f] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("policy %s is missing", w)
		}
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range checkPolicy(f, src, seeds) {
				t.Error(p)
			}
			if _, ds := engine.Load(f, src, engine.WithDocuments(documents)); ds.HasErrors() {
				t.Error(ds.Err())
			}
		})
	}
}

// TestCheckerRejects makes sure the checker itself fails on the mistakes it
// exists to catch.
func TestCheckerRejects(t *testing.T) {
	seeds := map[string]bool{"doc.txt": true}
	good := schemaLine + `
id: good
documents: [{file: doc.txt}]
roles:
  line_manager:
    title: Line manager
    source: {file: doc.txt, quote: "the professional's line manager"}
stages:
  step1:
    title: Step 1
    source: [{file: doc.txt, quote: "Step 1 - the"}]
    obligations:
      agree: {title: Agree, within: 2 working days, source: {file: doc.txt, quote: "within 2 working days"}}
forms:
  f:
    title: F
    source: {file: doc.txt, quote: "Step 1"}
    fields:
      source: {type: string}
outcomes:
  resolved: {kind: resolved, title: Resolved, source: {file: doc.txt, quote: "within 2"}}
`
	if p := checkPolicy("good.yaml", []byte(good), seeds); len(p) != 0 {
		t.Fatalf("a correct policy was rejected: %v", p)
	}
	for name, tc := range map[string]struct{ from, to, want string }{
		"unvendored document": {`documents: [{file: doc.txt}]`, `documents: [{file: doc.txt}, {file: new.txt}]`, "not vendored"},
		"unknown file":        {`{file: doc.txt, quote: "within 2"}`, `{file: other.txt, quote: "within 2"}`, "not one of the policy's documents"},
		"missing source":      {`, source: {file: doc.txt, quote: "within 2 working days"}}`, `}`, "stages.step1.obligations.agree has no source"},
		"no quote":            {`source: {file: doc.txt, quote: "Step 1"}`, `source: {file: doc.txt}`, "needs both file and quote"},
		"wrong id":            {"id: good", "id: bad", "the policy id must be the file name"},
		"no schema line":      {schemaLine, "# a policy", "the first line must be"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if bad == good {
				t.Fatalf("test case does not change the policy")
			}
			p := checkPolicy("good.yaml", []byte(bad), seeds)
			if !strings.Contains(strings.Join(p, "\n"), tc.want) {
				t.Errorf("want a problem containing %q, got %v", tc.want, p)
			}
		})
	}
}
