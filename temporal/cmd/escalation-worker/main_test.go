package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
)

func TestParse(t *testing.T) {
	c, err := parse([]string{"-task-queue", "cases", "-policy", "a.yaml", "-policy", "b.yaml"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "cases", c.taskQueue)
	assert.Equal(t, []string{"a.yaml", "b.yaml"}, c.policyFiles)
	_, err = parse([]string{"records"}, io.Discard)
	assert.ErrorContains(t, err, `unexpected argument "records"`)
}

// An older version given as a file runs the cases raised under it; the
// bundled version stays the one new cases are raised under.
func TestLoadKeepsTheBundledVersionCurrent(t *testing.T) {
	src, err := os.ReadFile("../../testdata/policies/sefton.yaml")
	require.NoError(t, err)
	older := filepath.Join(t.TempDir(), "sefton-2020.yaml")
	require.NoError(t, os.WriteFile(older, []byte(replaceVersion(string(src), "2020-01-01")), 0o600))
	eng, err := load([]string{older})
	require.NoError(t, err)
	current, ok := eng.Policy("sefton")
	require.True(t, ok)
	assert.NotEqual(t, "2020-01-01", current.Version)
	_, ok = eng.PolicyVersion(engine.PolicyRef{ID: "sefton", Version: "2020-01-01"})
	assert.True(t, ok)
}

// The bundled policies' earlier encodings run the cases raised under them
// with no file given: Staffordshire's as first bundled, before its Stage 1
// and 2 agreements became outcomes.
func TestLoadRunsTheBundledEarlierEncodings(t *testing.T) {
	eng, err := load(nil)
	require.NoError(t, err)
	_, ok := eng.PolicyVersion(engine.PolicyRef{ID: "staffordshire-stoke", Version: "7B/G02 (undated)"})
	assert.True(t, ok)
	current, ok := eng.Policy("staffordshire-stoke")
	require.True(t, ok)
	assert.Equal(t, "7B/G02 (undated), encoding 2", current.Version)
}

func TestLoadNamesABadFileWhere(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("language: escalation/v1\nid: [\n"), 0o600))
	_, err := load([]string{bad})
	assert.ErrorContains(t, err, "bad.yaml:")
}

func replaceVersion(src, v string) string {
	return strings.Replace(src, `version: "2024-05-02"`, `version: "`+v+`"`, 1)
}
