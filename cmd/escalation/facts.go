package main

import (
	"flag"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/internal/suggest"
)

// factsFlag is a repeatable --fact NAME=VALUE flag.
type factsFlag struct{ given []string }

func factFlag(fs *flag.FlagSet) *factsFlag {
	f := &factsFlag{}
	fs.Var(f, "fact", "a fact of the case, `NAME=VALUE`, its value written as in a scenario file (repeatable)")
	return f
}

func (f *factsFlag) String() string { return strings.Join(f.given, " ") }

func (f *factsFlag) Set(s string) error {
	name, _, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want NAME=VALUE, such as immediate_risk=true")
	}
	f.given = append(f.given, s)
	return nil
}

// values reads the given facts as policy p's facts: each name must be one
// of them, and each value is read as YAML, as a scenario file writes it. The
// engine checks each value against its fact's type when it uses it.
func (f *factsFlag) values(p *engine.Policy) (map[string]any, error) {
	names := make([]string, len(p.Facts))
	for i, fact := range p.Facts {
		names[i] = fact.ID
	}
	sort.Strings(names)
	out := make(map[string]any, len(f.given))
	for _, g := range f.given {
		name, raw, _ := strings.Cut(g, "=")
		name = strings.TrimSpace(name)
		if _, ok := p.Fact(name); !ok {
			if len(names) == 0 {
				return nil, fmt.Errorf("--fact %s: policy %s has no facts", name, p.ID)
			}
			return nil, fmt.Errorf("--fact %s: not a fact of policy %s: %s", name, p.ID, suggest.Hint(name, names))
		}
		var v any
		if err := yaml.Unmarshal([]byte(raw), &v); err != nil || v == nil {
			return nil, fmt.Errorf("--fact %s: the value %q is not a value: write it as in a scenario file, such as true, 3 or threshold", name, raw)
		}
		out[name] = v
	}
	return out, nil
}
