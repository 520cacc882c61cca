package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSuggest(t *testing.T) {
	keys := roleShape.keys()
	roles := []string{"practitioner", "line_manager", "senior_manager"}
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"tittle", keys, "title"},
		{"tilte", keys, "title"}, // two neighbours swapped is one slip
		{"Title", keys, "title"}, // case alone
		{"descripton", keys, "description"},
		{"practioner", roles, "practitioner"},
		{"line_manger", roles, "line_manager"},
		{"senior", roles, ""}, // too far from anything
		{"manager", roles, ""},
		{"to", []string{"id"}, ""}, // short names need a near match
		{"", roles, ""},
		{"practitioner", roles, ""}, // itself is not a suggestion
		{"agree_pln", []string{"agree_plan", "agree_plans"}, "agree_plan"},
	}
	for _, tt := range tests {
		s := suggester{budget: suggestBudget}
		got, ok := s.suggest(tt.name, tt.candidates)
		assert.Equal(t, tt.want, got, tt.name)
		assert.Equal(t, tt.want != "", ok, tt.name)
	}
}

func TestSuggestBudget(t *testing.T) {
	s := suggester{budget: 10}
	_, ok := s.suggest("practioner", []string{"practitioner"})
	assert.False(t, ok, "an exhausted budget suggests nothing")
	assert.Negative(t, s.budget)
}

func TestHintAndChoices(t *testing.T) {
	s := suggester{budget: suggestBudget}
	assert.Equal(t, `did you mean "title"?`, s.hint("titel", roleShape.keys()))
	assert.Equal(t, "use one of: info, warning", s.hint("important", []string{"info", "warning"}))
	assert.Equal(t, "", choices(nil))
	assert.Equal(t, "use one of: a", choices([]string{"", "a"}), "empty ids are not choices")
	many := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"}
	assert.Equal(t, "use one of: a, b, c, d, e, f, g, h, i, j, k, l, … (14 in all)", choices(many))
}

func TestIdentFor(t *testing.T) {
	for in, want := range map[string]string{
		"Stage 1":      "stage_1",
		"Practitioner": "practitioner",
		"line-manager": "line_manager",
		"1st stage":    "x_1st_stage",
		"  ":           "",
		"Étape":        "tape",
	} {
		assert.Equal(t, want, identFor(in), in)
	}
}
