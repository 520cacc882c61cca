package suggest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safeguarding-partnerships/escalation/internal/suggest"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"a", "", 1},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"ab", "ba", 1},
		{"title", "tilte", 1},
		{"immediate_rsk", "immediate_risk", 1},
		{"résumé", "resume", 2},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, suggest.Distance([]rune(tt.a), []rune(tt.b)), "%q %q", tt.a, tt.b)
		assert.Equal(t, tt.want, suggest.Distance([]rune(tt.b), []rune(tt.a)), "%q %q", tt.b, tt.a)
	}
}
