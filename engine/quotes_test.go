package engine

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A document whose quotes cannot be checked (it is not beside the policy, or
// it is not text) is a warning that says so, at the document: a quote check
// that is silently skipped reads as one that passed.
func TestUncheckedDocumentsAreWarned(t *testing.T) {
	src := []byte(`language: escalation/v1
id: docs
title: Documents
partnership: Test Partnership
version: "1"
jurisdiction: england-and-wales
scope: [children]
documents:
  - file: procedure.txt
  - file: procedure.pdf
  - file: uncited.txt
roles:
  practitioner:
    title: Practitioner
    source: [{file: procedure.txt, quote: "the practitioner"}, {file: procedure.pdf, quote: "practitioner"}]
start: step1
stages:
  step1:
    title: Step 1
    involves: [practitioner]
    transitions:
      - {event: resolve, to: resolved, roles: [practitioner]}
outcomes:
  resolved: {kind: resolved, title: Resolved}
`)
	unchecked := func(ds Diagnostics) map[int]string {
		out := map[int]string{}
		for _, d := range ds {
			if d.Code == "document-not-checked" {
				assert.Equal(t, SeverityWarning, d.Severity)
				out[d.Pos.Line] = d.Message + " | " + d.Hint
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		docs fstest.MapFS
		want map[int]string
	}{
		{"both beside it", fstest.MapFS{"procedure.txt": {Data: []byte("Speak to the practitioner.")}, "procedure.pdf": {Data: []byte("the practitioner")}}, map[int]string{}},
		{"none beside it", fstest.MapFS{}, map[int]string{
			9:  "procedure.txt is not beside the policy, so the quotes from it are not checked | keep the document, as a text file, in the policy's folder",
			10: "procedure.pdf is not beside the policy, so the quotes from it are not checked | keep the document, as a text file, in the policy's folder",
		}},
		{"not text", fstest.MapFS{"procedure.txt": {Data: []byte("Speak to the practitioner.")}, "procedure.pdf": {Data: []byte("%PDF-1.7\xff\xfe")}}, map[int]string{
			10: "procedure.pdf is not text (UTF-8), so the quotes from it are not checked | save the document as plain text in the policy's folder and name that file here",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ds := Load("docs.yaml", src, WithDocuments(tc.docs))
			require.NotNil(t, p, "%v", ds)
			assert.Equal(t, tc.want, unchecked(ds))
		})
	}

	// A host that gives no documents asks for no check, and is not warned.
	_, ds := Load("docs.yaml", src)
	assert.Empty(t, unchecked(ds))
}
