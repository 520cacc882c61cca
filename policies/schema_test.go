package policies_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// The committed schema is what editors read; it must be the engine's.
func TestSchemaIsCurrent(t *testing.T) {
	committed, err := os.ReadFile("policy.schema.json")
	if err != nil {
		t.Fatalf("%v: run go run ./cmd/escalation schema > policies/policy.schema.json", err)
	}
	if !bytes.Equal(committed, engine.JSONSchema()) {
		t.Fatal("policies/policy.schema.json differs from engine.JSONSchema(): run go run ./cmd/escalation schema > policies/policy.schema.json")
	}
}

// The example policies quote their dates. Unquoted, 2026-09-01 is a string to
// the loader and to editors (YAML 1.2) but a timestamp to generic YAML 1.1
// tools (PyYAML, js-yaml), whose JSON then fails the schema's date format.
func TestExamplePoliciesQuoteTheirDates(t *testing.T) {
	files := policyFiles(t)
	examples, err := filepath.Glob(filepath.Join("..", "examples", "*", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(append(files, examples...), filepath.Join("..", "engine", "testdata", "riverside.yaml"))
	isDate := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	dates := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(src, &doc); err != nil {
			t.Fatal(err)
		}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					k, v := n.Content[i], n.Content[i+1]
					if v.Kind == yaml.ScalarNode && isDate.MatchString(v.Value) {
						dates++
						if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
							t.Errorf("%s:%d: quote the date: %s: %q", file, v.Line, k.Value, v.Value)
						}
					}
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(&doc)
	}
	if dates == 0 {
		t.Fatal("no dates found")
	}
}
