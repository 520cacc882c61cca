package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

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
