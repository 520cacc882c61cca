package suggest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNearest(t *testing.T) {
	keys := []string{"title", "description", "source", "assumption"}
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
		s := New()
		got, ok := s.Nearest(tt.name, tt.candidates)
		assert.Equal(t, tt.want, got, tt.name)
		assert.Equal(t, tt.want != "", ok, tt.name)
	}
}

func TestBudget(t *testing.T) {
	s := &Suggester{budget: 10}
	_, ok := s.Nearest("practioner", []string{"practitioner"})
	assert.False(t, ok, "an exhausted budget suggests nothing")
	assert.Negative(t, s.budget)
	_, ok = (&Suggester{}).Nearest("a", []string{"b"})
	assert.False(t, ok, "the zero Suggester has no budget")
}

func TestHintAndChoices(t *testing.T) {
	assert.Equal(t, `did you mean "title"?`, Hint("titel", []string{"title", "source"}))
	assert.Equal(t, "use one of: info, warning", Hint("important", []string{"info", "warning"}))
	assert.Equal(t, `; did you mean "escalate"?`, DidYouMean("escalte", []string{"resolve", "escalate"}))
	assert.Equal(t, "", DidYouMean("zzz", []string{"resolve", "escalate"}))
	assert.Equal(t, "", Choices(nil))
	assert.Equal(t, "use one of: a", Choices([]string{"", "a"}), "empty ids are not choices")
	many := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"}
	assert.Equal(t, "use one of: a, b, c, d, e, f, g, h, i, j, k, l, … (14 in all)", Choices(many))
}
