package yamlfront

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/diag"
)

func TestReport(t *testing.T) {
	f := NewFile("f", nil)
	f.Report(diag.SeverityError, at(1, 1), diag.Pos{}, "c", "same", "")
	f.Report(diag.SeverityError, at(1, 1), diag.Pos{}, "c", "same", "")
	assert.Len(t, f.Diagnostics(), 1, "an exact repeat (a node reached through two aliases) is dropped")

	for i := 0; i < 2*MaxReported; i++ {
		f.Report(diag.SeverityError, at(i+2, 1), diag.Pos{}, "c", "e", "")
		f.Report(diag.SeverityWarning, at(i+2, 1), diag.Pos{}, "c", "w", "")
	}
	errs, warns := f.Diagnostics().Errors(), f.Diagnostics().Warnings()
	assert.Len(t, errs, MaxReported+1)
	assert.Len(t, warns, MaxReported+1)
	assert.True(t, strings.HasPrefix(errs[0].Message, "too many problems"), "the note has no line, so it sorts first")
	assert.Equal(t, "too-many", warns[0].Code)
	assert.True(t, f.HasErrors())
}

func TestReadLimits(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	tests := []struct {
		name, src string
		opts      Options
		code      string
	}{
		{"too large", "a: b\n", Options{MaxBytes: 3, Noun: "policy"}, "too-large"},
		{"empty", "# nothing\n", Options{MaxBytes: 100, Start: "a: b"}, "empty-file"},
		{"two documents", "a: b\n---\nc: d\n", Options{MaxBytes: 100, Noun: "policy"}, "multiple-documents"},
		{"too deep", deep, Options{MaxBytes: 1000, Noun: "policy"}, "too-deep"},
		{"an alias to itself", "a: &x\n  b: *x\n", Options{MaxBytes: 100}, "alias-cycle"},
		{"an unknown anchor", "a: *x\n", Options{MaxBytes: 100}, "yaml-syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFile("f", []byte(tt.src))
			assert.Nil(t, f.Read(tt.opts))
			ds := f.Diagnostics()
			require.Len(t, ds, 1, "%v", ds)
			assert.Equal(t, tt.code, ds[0].Code)
		})
	}
	f := NewFile("f", []byte("# nothing\n"))
	assert.Nil(t, f.Read(Options{MaxBytes: 100, AllowEmpty: true}))
	assert.Empty(t, f.Diagnostics(), "an empty file may be allowed")
}

func TestReadAliasBomb(t *testing.T) {
	src := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f"} {
		src += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	f := NewFile("f", []byte(src))
	assert.Nil(t, f.Read(Options{MaxBytes: 1 << 20}))
	ds := f.Diagnostics()
	require.Len(t, ds, 1)
	assert.Equal(t, "alias-limit", ds[0].Code)
}
