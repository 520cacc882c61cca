package yamlfront

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/diag"
	"github.com/safeguarding-partnerships/escalation/internal/source"
)

// Limits on what a file may ask of the reader. A real policy is a few
// hundred lines, nested about ten deep, and uses aliases sparingly if at all;
// these are far beyond that and keep hostile input cheap.
const (
	MaxDepth      = 32     // nested mappings and lists, aliases followed
	MaxAliasNodes = 10_000 // nodes reached by following aliases, in all
)

// Options say what kind of file is being read.
type Options struct {
	// MaxBytes is the largest file read.
	MaxBytes int
	// Noun names the kind of file in hints ("policy"), and Start is what
	// such a file starts with ("language: escalation/v1").
	Noun, Start string
	// AllowEmpty makes an empty file (or one holding only comments) no
	// problem: Read then returns nil without reporting anything.
	AllowEmpty bool
}

// Read parses the file's one YAML document within the limits and returns its
// root, or nil having reported why not: the file is too large, is not valid
// YAML, is empty, holds more than one document, is nested too deep or
// expands too many aliases. No input makes it panic or run long.
func (f *File) Read(opts Options) (root *yaml.Node) {
	defer func() {
		// A last resort: every panic found is fixed at its cause, but a file
		// must never crash its host.
		if r := recover(); r != nil {
			f.Report(diag.SeverityError, diag.Pos{File: f.name}, diag.Pos{}, "internal", fmt.Sprintf("internal error while reading YAML (please report it): %v", r), "")
			root = nil
		}
	}()
	if len(f.src) > opts.MaxBytes {
		f.Report(diag.SeverityError, diag.Pos{File: f.name}, diag.Pos{}, "too-large",
			fmt.Sprintf("the file is %d bytes, over the limit of %d", len(f.src), opts.MaxBytes), Article(opts.Noun)+" is usually under 50 KiB: check that this is the right file")
		return nil
	}
	f.text = source.New(f.src)
	root = f.parse(opts)
	if root == nil || !f.checkLimits(root, opts.Noun) {
		return nil
	}
	return root
}

// parse parses the file's single YAML document. It returns nil, having
// reported why, when the file is not YAML, is empty or holds more than one
// document.
func (f *File) parse(opts Options) *yaml.Node {
	empty := func() *yaml.Node {
		if !opts.AllowEmpty {
			f.Report(diag.SeverityError, diag.Pos{File: f.name, Line: 1}, diag.Pos{}, "empty-file", "the file is empty", "start with: "+opts.Start)
		}
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return empty()
		}
		f.syntaxError(err)
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		f.ErrorAt(&next, "multiple-documents", "hold one "+opts.Noun+" per file", "the file holds more than one YAML document")
		return nil
	} else if !errors.Is(err, io.EOF) {
		f.syntaxError(err)
		return nil
	}
	if len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		return empty()
	}
	return doc.Content[0]
}

// Article puts "a" or "an" before a noun, for messages.
func Article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
