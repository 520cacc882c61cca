package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/engine/trace"
	"github.com/safeguarding-partnerships/escalation/internal/safefile"
	"github.com/safeguarding-partnerships/escalation/policies"
)

// A policy file's traceability matrix (engine/trace) is trace/ID.yaml in
// the policy's folder, and its documents are beside the policy; a bundled
// policy's are bundled with it.

// isTrace reports whether a file is a traceability matrix: one in a folder
// named "trace".
func isTrace(name string) bool {
	return filepath.Base(filepath.Dir(filepath.FromSlash(name))) == "trace"
}

// traced is a policy's matrix, checked, and its coverage.
type traced struct {
	matrix   *trace.Matrix
	src      []byte // the matrix file, to quote its lines
	problems engine.Diagnostics
}

// matrixOf finds and checks the matrix of policy p, loaded from arg (a
// bundled id, or a file). It returns nil when the policy has none.
func matrixOf(arg string, p *engine.Policy) *traced {
	var (
		name string
		src  []byte
		docs fs.FS
	)
	if isPolicyID(arg) && isBundled(arg) {
		var err error
		if name, src, err = policies.Trace(p.ID); err != nil {
			return nil
		}
		docs = policies.Documents()
	} else {
		dir := filepath.Dir(arg)
		path := filepath.Join(dir, "trace", p.ID+".yaml")
		b, err := safefile.Read(path, engine.DefaultMaxBytes)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return &traced{problems: engine.Diagnostics{unreadable(filepath.ToSlash(path), err)}}
		}
		name, src, docs = filepath.ToSlash(path), b, os.DirFS(dir)
	}
	m, diags := trace.Parse(name, src)
	if m == nil {
		return &traced{src: src, problems: diags}
	}
	return &traced{matrix: m, src: src, problems: m.Check(p, documentText(docs, m.Document))}
}

// maxDocumentBytes is the largest document a matrix is checked against, as
// for a policy's quotes: a published procedure as text is a few hundred KiB.
const maxDocumentBytes = 16 << 20

// documentText is a document's text, or nil when it is not there to check.
func documentText(docs fs.FS, file string) []byte {
	b, err := safefile.ReadFS(docs, file, maxDocumentBytes)
	if err != nil {
		return nil
	}
	return b
}

// checkMatrix validates a matrix file read from dir: the policy it names is
// the policy file beside the trace folder, or the bundled policy of that id,
// and its document is beside that policy, or bundled.
func checkMatrix(name string, src []byte, dir string, opts []engine.LoadOption) engine.Diagnostics {
	m, diags := trace.Parse(name, src)
	if m == nil {
		return diags
	}
	home := filepath.Dir(dir)
	policyFile := filepath.Join(home, m.Policy+".yaml")
	var (
		p    *engine.Policy
		docs fs.FS
	)
	switch b, err := safefile.Read(policyFile, engine.DefaultMaxBytes); {
	case err == nil:
		docs = os.DirFS(home)
		p, diags = engine.Load(filepath.ToSlash(policyFile), b, opts...)
	case errors.Is(err, fs.ErrNotExist) && isBundled(m.Policy):
		docs = policies.Documents()
		p, diags = policies.Load(m.Policy, opts...)
	case !errors.Is(err, fs.ErrNotExist):
		d := unreadable(filepath.ToSlash(policyFile), err)
		d.Message = "the matrix's policy " + filepath.ToSlash(policyFile) + ": " + d.Message
		d.Pos = engine.Pos{File: name, Line: 1, Column: 1}
		return engine.Diagnostics{d}
	default:
		return engine.Diagnostics{{
			Severity: engine.SeverityError, Pos: engine.Pos{File: name, Line: 1, Column: 1}, Code: "no-policy",
			Message: "the matrix is for policy " + m.Policy + ", but there is no " + filepath.ToSlash(policyFile) + " and no bundled policy of that id",
			Hint:    "keep the matrix in a folder named trace beside its policy file",
		}}
	}
	if p == nil {
		return engine.Diagnostics{{
			Severity: engine.SeverityError, Pos: engine.Pos{File: name, Line: 1, Column: 1}, Code: "policy-does-not-load",
			Message: "policy " + m.Policy + " does not load, so the matrix cannot be checked: " + diags.Err().Error(),
			Hint:    "validate the policy file and fix it first",
		}}
	}
	text := documentText(docs, m.Document)
	if text == nil && isBundled(m.Policy) {
		return m.Check(p, documentText(policies.Documents(), m.Document))
	}
	ds := m.Check(p, text)
	// The document's own problems point at it where it was read.
	for _, d := range ds {
		if d.Pos.File == m.Document {
			d.Pos.File = filepath.ToSlash(filepath.Join(home, m.Document))
		}
	}
	return ds
}
