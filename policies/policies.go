// Package policies bundles the five partnerships' procedures as policy files
// embedded in the binary, and loads them by id.
//
// The files are the product's most public part: every stage, role, timescale
// and form in them cites the published words it comes from (see
// testdata/sources), and each assumption is stated where the text is silent.
// LANGUAGE.md beside them documents the policy language; SCENARIOS.md the
// scenario files under scenarios/, which run as acceptance tests; trace/
// holds each policy's traceability matrix, which accounts for every
// rule-bearing sentence of its document (engine/trace).
package policies

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/engine"
)

//go:embed *.yaml
var files embed.FS

// Earlier encodings of the bundled policies, kept unchanged for the cases
// raised under them: superseded/<id>/encoding-<n>.yaml (see README.md there).
//
//go:embed superseded
var superseded embed.FS

//go:embed scenarios
var scenarios embed.FS

//go:embed trace
var traces embed.FS

// The published procedures, as vendored for the tests, are also what the
// traceability matrices are checked against when a document is written.
//
//go:embed testdata/sources/*.txt
var sources embed.FS

// FS returns the bundled policy files, one "<id>.yaml" per policy.
func FS() fs.FS { return files }

// Scenarios returns the bundled scenario files, under one folder per policy.
func Scenarios() fs.FS {
	sub, err := fs.Sub(scenarios, "scenarios")
	if err != nil {
		panic(err) // the folder is embedded above, so this cannot happen
	}
	return sub
}

// IDs lists the bundled policies' ids, sorted.
func IDs() []string {
	names, _ := fs.Glob(files, "*.yaml")
	ids := make([]string, len(names))
	for i, n := range names {
		ids[i] = strings.TrimSuffix(n, ".yaml")
	}
	sort.Strings(ids)
	return ids
}

// Source returns a bundled policy's file name and bytes.
func Source(id string) (string, []byte, error) {
	name := path.Base(id) + ".yaml"
	src, err := files.ReadFile(name)
	if err != nil {
		return "", nil, fmt.Errorf("no bundled policy %q (bundled: %s)", id, strings.Join(IDs(), ", "))
	}
	return name, src, nil
}

// Trace returns a bundled policy's traceability matrix (see engine/trace):
// its file name and bytes.
func Trace(id string) (string, []byte, error) {
	name := "trace/" + path.Base(id) + ".yaml"
	src, err := traces.ReadFile(name)
	if err != nil {
		return "", nil, fmt.Errorf("no traceability matrix for bundled policy %q", id)
	}
	return "policies/" + name, src, nil
}

// Documents returns the published procedures the bundled policies encode, by
// file name (the documents their sources and matrices name).
func Documents() fs.FS {
	sub, err := fs.Sub(sources, "testdata/sources")
	if err != nil {
		panic(err) // the folder is embedded above, so this cannot happen
	}
	return sub
}

// Load loads one bundled policy by id.
func Load(id string, opts ...engine.LoadOption) (*engine.Policy, engine.Diagnostics) {
	name, src, err := Source(id)
	if err != nil {
		return nil, engine.Diagnostics{{Severity: engine.SeverityError, Pos: engine.Pos{File: id}, Message: err.Error()}}
	}
	return engine.Load(name, src, opts...)
}

// All loads every bundled policy, in id order, with the diagnostics of all.
func All(opts ...engine.LoadOption) ([]*engine.Policy, engine.Diagnostics) {
	var (
		ps    []*engine.Policy
		diags engine.Diagnostics
	)
	for _, id := range IDs() {
		p, ds := Load(id, opts...)
		diags = append(diags, ds...)
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps, diags
}

// SupersededFS returns the earlier encodings of the bundled policies, kept
// for the cases raised under them: "<id>/encoding-<n>.yaml", each exactly as
// it was bundled, its version string its own.
func SupersededFS() fs.FS {
	sub, err := fs.Sub(superseded, "superseded")
	if err != nil {
		panic(err) // the folder is embedded above, so this cannot happen
	}
	return sub
}

// supersededNames lists the earlier encodings' file names (under
// SupersededFS), of one policy or, for id "*", of all, sorted.
func supersededNames(id string) []string {
	names, _ := fs.Glob(SupersededFS(), path.Base(id)+"/*.yaml")
	sort.Strings(names)
	return names
}

// Superseded loads every earlier encoding of the bundled policies: versions
// that the cases raised under them keep running on, and under which no new
// case is raised (engine.WithSuperseded).
func Superseded(opts ...engine.LoadOption) ([]*engine.Policy, engine.Diagnostics) {
	var (
		ps    []*engine.Policy
		diags engine.Diagnostics
	)
	for _, name := range supersededNames("*") {
		src, _ := fs.ReadFile(SupersededFS(), name)
		p, ds := engine.Load("superseded/"+name, src, opts...)
		diags = append(diags, ds...)
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps, diags
}

// SourceVersion returns the file name and bytes of one version of a bundled
// policy, the current one or an earlier encoding: the version a stored case
// names.
func SourceVersion(ref engine.PolicyRef) (string, []byte, error) {
	name, src, err := Source(ref.ID)
	if err != nil {
		return "", nil, err
	}
	var versions []string
	for _, n := range append([]string{""}, supersededNames(ref.ID)...) {
		if n != "" {
			name = "superseded/" + n
			src, _ = fs.ReadFile(SupersededFS(), n)
		}
		v, err := versionOf(name, src)
		if err != nil {
			return "", nil, err
		}
		if v == ref.Version {
			return name, src, nil
		}
		versions = append(versions, strconv.Quote(v))
	}
	return "", nil, fmt.Errorf("bundled policy %s has no version %q (it has %s)", ref.ID, ref.Version, strings.Join(versions, ", "))
}

// versionOf reads a bundled file's version without compiling it.
func versionOf(name string, src []byte) (string, error) {
	var head struct {
		Version string `yaml:"version"`
	}
	if err := yaml.Unmarshal(src, &head); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return head.Version, nil
}

// Engine returns an engine holding every bundled policy: new cases are
// raised under the current encodings, and the cases raised under an earlier
// one keep running on it.
func Engine(opts ...engine.LoadOption) (*engine.Engine, error) {
	ps, diags := All(opts...)
	older, ds := Superseded(opts...)
	if err := append(diags, ds...).Err(); err != nil {
		return nil, err
	}
	return engine.New(engine.WithPolicies(ps...), engine.WithSuperseded(older...))
}
