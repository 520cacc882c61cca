package diag

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiagnosticError(t *testing.T) {
	tests := []struct {
		d    Diagnostic
		want string
	}{
		{Diagnostic{Pos: Pos{"p.yaml", 3, 7}, Message: "bad"}, "p.yaml:3:7: error: bad"},
		{Diagnostic{Severity: SeverityWarning, Pos: Pos{"p.yaml", 3, 0}, Message: "meh"}, "p.yaml:3: warning: meh"},
		{Diagnostic{Pos: Pos{File: "p.yaml"}, Message: "too big"}, "p.yaml: error: too big"},
		{Diagnostic{Pos: Pos{Line: 2, Column: 1}, Message: "x"}, "2:1: error: x"},
		{Diagnostic{Message: "x"}, "-: error: x"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.d.Error())
	}
}

func TestDiagnosticsSortAndErr(t *testing.T) {
	w := func(file string, line, col int) *Diagnostic {
		return &Diagnostic{Severity: SeverityWarning, Pos: Pos{file, line, col}, Message: "w", Code: "c"}
	}
	e := func(file string, line, col int) *Diagnostic {
		return &Diagnostic{Severity: SeverityError, Pos: Pos{file, line, col}, Message: "e", Code: "c"}
	}
	ds := Diagnostics{w("b", 1, 1), e("a", 10, 1), w("a", 2, 5), e("a", 2, 5), e("a", 2, 1), w("a", 0, 0)}
	var unsorted Diagnostics
	require.ErrorAs(t, ds.Err(), &unsorted)
	assert.Equal(t, "a:2:1: error: e", unsorted[0].Error(), "Err sorts, as go/scanner.ErrorList does")
	ds.Sort()
	var got []string
	for _, d := range ds {
		got = append(got, d.Error())
	}
	assert.Equal(t, []string{"a: warning: w", "a:2:1: error: e", "a:2:5: error: e", "a:2:5: warning: w", "a:10:1: error: e", "b:1:1: warning: w"}, got)

	assert.True(t, ds.HasErrors())
	assert.Len(t, ds.Errors(), 3)
	assert.Len(t, ds.Warnings(), 3)
	err := ds.Err()
	require.Error(t, err)
	var list Diagnostics
	require.True(t, errors.As(err, &list))
	assert.Len(t, list, 3, "Err holds the errors only")
	assert.Equal(t, "a:2:1: error: e (and 2 more)", err.Error())

	warnings := ds.Warnings()
	assert.False(t, warnings.HasErrors())
	assert.NoError(t, warnings.Err(), "warnings alone are not an error")
	assert.Nil(t, Diagnostics(nil).Err())
	assert.Equal(t, "no problems", Diagnostics(nil).Error())
}

func TestSeverityText(t *testing.T) {
	assert.Equal(t, "error", SeverityError.String())
	assert.Equal(t, "warning", SeverityWarning.String())
	assert.Equal(t, "severity(7)", Severity(7).String())
	_, err := Severity(7).MarshalText()
	assert.Error(t, err)

	b, err := json.Marshal(&Diagnostic{Severity: SeverityWarning, Pos: Pos{"f", 1, 2}, Message: "m", Code: "c"})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"severity":"warning"`)
	var d Diagnostic
	require.NoError(t, json.Unmarshal(b, &d))
	assert.Equal(t, SeverityWarning, d.Severity)
	assert.Error(t, json.Unmarshal([]byte(`{"severity":"fatal"}`), &d))
}
