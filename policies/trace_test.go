package policies_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/safeguarding-partnerships/escalation/engine/trace"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// TestTraceabilityMatrices keeps every bundled policy's matrix true to its
// policy and its document: every rule-bearing sentence accounted for, every
// sentence still in the text, every element named still in the policy.
// A failure names the sentence or entry and what to do about it.
func TestTraceabilityMatrices(t *testing.T) {
	for _, id := range policies.IDs() {
		t.Run(id, func(t *testing.T) {
			p, diags := policies.Load(id)
			if err := diags.Err(); err != nil {
				t.Fatal(err)
			}
			name, src, err := policies.Trace(id)
			if err != nil {
				t.Fatal(err)
			}
			m, diags := trace.Parse(name, src)
			for _, d := range diags {
				t.Errorf("%s (%s)", d.Error(), d.Hint)
			}
			if m == nil {
				return
			}
			text, err := fs.ReadFile(policies.Documents(), m.Document)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range m.Check(p, text) {
				t.Errorf("%s (%s)", d.Error(), d.Hint)
			}
			c := m.Coverage()
			if c.Sentences == 0 || c.Sentences != c.Encoded+c.Assumed+c.NotEncoded {
				t.Errorf("coverage does not add up: %+v", c)
			}
		})
	}
}

// Each bundled policy has a matrix, and each matrix a bundled policy.
func TestEveryPolicyHasAMatrix(t *testing.T) {
	for _, id := range policies.IDs() {
		if _, _, err := policies.Trace(id); err != nil {
			t.Error(err)
		}
	}
	if _, _, err := policies.Trace("nowhere"); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("a policy with no matrix: %v", err)
	}
}

// BenchmarkCheckMatrix checks Staffordshire's matrix (66 sentences) against
// its policy and document, as validate and doc do.
func BenchmarkCheckMatrix(b *testing.B) {
	p, diags := policies.Load("staffordshire-stoke")
	if err := diags.Err(); err != nil {
		b.Fatal(err)
	}
	name, src, err := policies.Trace("staffordshire-stoke")
	if err != nil {
		b.Fatal(err)
	}
	m, _ := trace.Parse(name, src)
	text, err := fs.ReadFile(policies.Documents(), m.Document)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if ds := m.Check(p, text); len(ds) != 0 {
			b.Fatal(ds)
		}
	}
}
