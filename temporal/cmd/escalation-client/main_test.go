package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every mistake on the command line is named before any server is asked.
func TestUsageMistakes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"close"}, `unknown command "close"`},
		{[]string{"raise", "-case", "c-1", "-actor", "asha", "-role", "practitioner"}, "raise needs -policy"},
		{[]string{"fire", "-case", "c-1", "-actor", "asha", "-role", "practitioner"}, "fire needs -event"},
		{[]string{"available", "-case", "c-1", "-role", "line_manager"}, "available needs -actor"},
		{[]string{"head"}, "head needs -case"},
		{[]string{"head", "-case", "c-1", "extra"}, `unexpected argument "extra"`},
		{[]string{"fire", "-case", "c-1", "-event", "e", "-actor", "a", "-role", "r", "-facts", "{bad"}, "-facts: invalid character"},
		{[]string{"fire", "-case", "c-1", "-event", "e", "-actor", "a", "-role", "r", "-forms", `{"f": 1}`}, "-forms: json: cannot unmarshal"},
		{[]string{"due", "-case", "c-1", "-at", "24 Dec"}, "-at: parsing time"},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, exitUsage, run(tc.args, &stdout, &stderr), "%v", tc.args)
		assert.Contains(t, stderr.String(), tc.want, "%v", tc.args)
		assert.Empty(t, stdout.String())
	}
}

func TestHelpIsNotAnError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitOK, run([]string{"head", "-h"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "-case")
}
