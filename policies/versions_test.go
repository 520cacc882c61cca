package policies_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
)

var updateLock = flag.Bool("update", false, "add new bundled versions to versions.lock (never changes a version's digest)")

const lockFile = "versions.lock"

// descriptive are the keys that only describe a policy to people: what it
// cites, assumes, is called and says in prose. Changing them changes no
// decision, so they are left out of a version's digest; everything else
// (stages, roles, facts, duties, timescales, guards, events, forms, records,
// calendars, the language version) is in it. A key is left out only where
// its value is text or a citation, so an id that happens to be spelt like
// one (a fact called title) still counts.
var descriptive = map[string]bool{
	"source": true, "assumption": true, "title": true, "description": true, "note": true,
	"guidance": true, "partnership": true, "approved": true, "review_due": true, "version": true,
}

// rulesDigest is the SHA-256 of a policy file's YAML with its comments,
// descriptive keys and scalar styles taken out: what the policy decides,
// whatever it says about it.
func rulesDigest(src []byte) (string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return "", err
	}
	strip(&doc)
	b, err := yaml.Marshal(&doc)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

func strip(n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	if n.Kind == yaml.ScalarNode {
		n.Style = 0
	} else {
		n.Style &^= yaml.FlowStyle
	}
	if n.Kind == yaml.MappingNode {
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if descriptive[k.Value] && describes(v) {
				continue
			}
			kept = append(kept, k, v)
		}
		n.Content = kept
	}
	for _, c := range n.Content {
		strip(c)
	}
}

// describes reports whether a value is text or a citation ({file, quote},
// or a list of them or of text), not a definition.
func describes(v *yaml.Node) bool {
	switch v.Kind {
	case yaml.ScalarNode:
		return true
	case yaml.SequenceNode:
		for _, c := range v.Content {
			if !describes(c) {
				return false
			}
		}
		return true
	case yaml.MappingNode:
		for i := 0; i < len(v.Content); i += 2 {
			if k := v.Content[i].Value; k != "file" && k != "quote" {
				return false
			}
		}
		return true
	}
	return false
}

// bundledVersion is one version of a bundled policy and its file.
type bundledVersion struct {
	id, version, file, digest string
}

func bundledVersions(t *testing.T) []bundledVersion {
	t.Helper()
	var out []bundledVersion
	add := func(file string, src []byte) {
		p, diags := engine.Load(file, src)
		if err := diags.Err(); err != nil {
			t.Fatal(err)
		}
		d, err := rulesDigest(src)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, bundledVersion{p.ID, p.Version, file, d})
	}
	for _, id := range policies.IDs() {
		name, src, err := policies.Source(id)
		if err != nil {
			t.Fatal(err)
		}
		add(name, src)
	}
	err := fs.WalkDir(policies.SupersededFS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(name) != ".yaml" {
			return err
		}
		src, err := fs.ReadFile(policies.SupersededFS(), name)
		if err == nil {
			add("superseded/"+name, src)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readLock reads versions.lock: "id<TAB>version<TAB>file<TAB>digest" lines,
// by id and version.
func readLock(t *testing.T) map[[2]string]bundledVersion {
	t.Helper()
	b, err := os.ReadFile(lockFile)
	if err != nil {
		t.Fatalf("%v: run go test ./policies -run TestVersionsLock -update to write it", err)
	}
	lock := map[[2]string]bundledVersion{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 4 {
			t.Fatalf("%s:%d: want id, version, file and digest separated by tabs, got %q", lockFile, line, text)
		}
		lock[[2]string{f[0], f[1]}] = bundledVersion{f[0], f[1], f[2], f[3]}
	}
	return lock
}

// TestVersionsLock is the guard of the promise that a case keeps its policy
// version for life: versions.lock records the digest of what each bundled
// policy version decides (rulesDigest), and a bundled version whose rules
// no longer match its digest, or that is no longer bundled, fails here.
// Edits to quotes, titles, notes, assumptions and comments do not count.
func TestVersionsLock(t *testing.T) {
	lock := readLock(t)
	problems, added := checkLock(lock, bundledVersions(t), *updateLock)
	for _, p := range problems {
		t.Error(p)
	}
	if len(added) > 0 {
		for _, v := range added {
			lock[[2]string{v.id, v.version}] = v
		}
		writeLock(t, lock)
	}
}

// checkLock compares the bundled versions with the lock, and returns what
// is wrong and, when adding, the versions the lock lacks.
func checkLock(lock map[[2]string]bundledVersion, bundled []bundledVersion, add bool) (problems []string, added []bundledVersion) {
	seen := map[[2]string]bool{}
	for _, v := range bundled {
		key := [2]string{v.id, v.version}
		if seen[key] {
			problems = append(problems, fmt.Sprintf("%s: %s version %q is bundled twice: give one of them another version", v.file, v.id, v.version))
		}
		seen[key] = true
		locked, ok := lock[key]
		switch {
		case !ok && add:
			added = append(added, v)
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: %s version %q is not in policies/%s: run go test ./policies -run TestVersionsLock -update to add it", v.file, v.id, v.version, lockFile))
		case locked.digest != v.digest && strings.HasPrefix(v.file, "superseded/"):
			problems = append(problems, fmt.Sprintf("policies/%s: the rules of %s version %q changed: it is an earlier encoding, kept for the cases raised under it, and must never change; put it back (git checkout policies/%s)", v.file, v.id, v.version, v.file))
		case locked.digest != v.digest:
			problems = append(problems, fmt.Sprintf("policies/%s: the rules of %s version %q changed, but its version did not: the cases stored under it would replay differently (ErrReplayMismatch) or lose events. "+
				"Keep the file as it was, unchanged, for them (git show HEAD:policies/%s > policies/superseded/%s/encoding-N.yaml, the next N), "+
				"give the changed file a new version (%q), then run go test ./policies -run TestVersionsLock -update to add it. "+
				"(Only quotes, titles, notes, assumptions and comments may change under the same version.)",
				v.file, v.id, v.version, v.file, v.id, nextEncoding(v.version)))
		}
	}
	for key, v := range lock {
		if !seen[key] {
			problems = append(problems, fmt.Sprintf("policies/%s: %s version %q (%s) is no longer bundled: the cases raised under it can no longer run; put its file back under policies/superseded/%s/", lockFile, v.id, v.version, v.file, v.id))
		}
	}
	sort.Strings(problems)
	return problems, added
}

// nextEncoding suggests the version string of a policy's next encoding.
func nextEncoding(v string) string {
	var n int
	if i := strings.LastIndex(v, ", encoding "); i >= 0 {
		if _, err := fmt.Sscanf(v[i:], ", encoding %d", &n); err == nil {
			return fmt.Sprintf("%s, encoding %d", v[:i], n+1)
		}
	}
	return v + ", encoding 2"
}

func writeLock(t *testing.T, lock map[[2]string]bundledVersion) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# The digest of what each bundled policy version decides, by id and version (see\n" +
		"# policies/superseded/README.md). TestVersionsLock fails when a version's rules change under the\n" +
		"# same version string; go test ./policies -run TestVersionsLock -update adds new versions only.\n")
	keys := make([][2]string, 0, len(lock))
	for k := range lock {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		v := lock[k]
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", v.id, v.version, v.file, v.digest)
	}
	if err := os.WriteFile(lockFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRulesDigest(t *testing.T) {
	const base = `language: escalation/v1
id: x # a comment
version: "1"
title: X
facts:
  title: {type: string}
stages:
  s1:
    title: Stage 1
    source: {file: a.txt, quote: "within 5 days"}
    obligations:
      o:
        within: 5 working days
        source:
          - {file: a.txt, quote: "within 5 days"}
    transitions:
      - {event: e, to: s2, roles: [a], when: 'title == "a"', note: Do it.}
`
	want, err := rulesDigest([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new string
		same           bool
	}{
		{"a quote", `quote: "within 5 days"}
    obligations`, `quote: "within five days"}
    obligations`, true},
		{"a title", "title: Stage 1", "title: Stage One", true},
		{"a note", "note: Do it.", "note: Do it now.", true},
		{"a comment", "# a comment", "# another", true},
		{"the version", `version: "1"`, `version: "2"`, true},
		{"a scalar's quoting", "within: 5 working days", `within: "5 working days"`, true},
		{"a flow mapping written as a block", "title: {type: string}", "title:\n    type: string", true},
		{"a timescale", "within: 5 working days", "within: 4 working days", false},
		{"a guard", `when: 'title == "a"'`, `when: 'title == "b"'`, false},
		{"a role", "roles: [a]", "roles: [a, b]", false},
		{"a destination", "to: s2", "to: s3", false},
		{"a fact called title", "title: {type: string}", "title: {type: bool}", false},
		{"the language", "escalation/v1\n", "escalation/v1.1\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(base, tc.old, tc.new, 1)
			if src == base {
				t.Fatalf("%q is not in the policy", tc.old)
			}
			got, err := rulesDigest([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if (got == want) != tc.same {
				t.Errorf("digest the same: %v, want %v", got == want, tc.same)
			}
		})
	}
}

// The guard would have caught the re-encoding it was written after: each
// earlier encoding decides differently from the current one, and a lock of
// the earlier digests fails with what to do.
func TestVersionsLockCatchesARuleChange(t *testing.T) {
	bundled := bundledVersions(t)
	current := map[string]bundledVersion{}
	for _, v := range bundled {
		if !strings.HasPrefix(v.file, "superseded/") {
			current[v.id] = v
		}
	}
	for _, old := range bundled {
		if !strings.HasPrefix(old.file, "superseded/") {
			continue
		}
		now := current[old.id]
		if now.digest == old.digest {
			t.Errorf("%s decides what %s does: it need not have been kept", old.file, now.file)
		}
		// The current file, had it kept the earlier version string.
		reused := bundledVersion{now.id, old.version, now.file, now.digest}
		lock := map[[2]string]bundledVersion{{old.id, old.version}: old}
		problems, added := checkLock(lock, []bundledVersion{reused}, true)
		if len(problems) != 1 || len(added) != 0 {
			t.Fatalf("%s: problems %q, added %v", old.id, problems, added)
		}
		want := fmt.Sprintf("policies/%s: the rules of %s version %q changed, but its version did not", now.file, now.id, old.version)
		if !strings.HasPrefix(problems[0], want) || !strings.Contains(problems[0], fmt.Sprintf("give the changed file a new version (%q)", old.version+", encoding 2")) {
			t.Errorf("got %s\nwant it to start %s and suggest %q", problems[0], want, old.version+", encoding 2")
		}
	}
	for _, v := range bundled {
		if !strings.HasPrefix(v.file, "superseded/") {
			continue
		}
		edited := v
		edited.digest = "sha256:0"
		problems, _ := checkLock(map[[2]string]bundledVersion{{v.id, v.version}: v}, []bundledVersion{edited}, true)
		if len(problems) != 1 || !strings.Contains(problems[0], "must never change; put it back (git checkout policies/"+v.file+")") {
			t.Errorf("an earlier encoding edited: %q", problems)
		}
	}
	problems, _ := checkLock(map[[2]string]bundledVersion{{"x", "1"}: {"x", "1", "x.yaml", "sha256:0"}}, nil, true)
	if len(problems) != 1 || !strings.Contains(problems[0], `x version "1" (x.yaml) is no longer bundled`) {
		t.Errorf("a version dropped: %q", problems)
	}
	problems, added := checkLock(map[[2]string]bundledVersion{}, []bundledVersion{current["sefton"]}, false)
	if len(problems) != 1 || len(added) != 0 || !strings.Contains(problems[0], "is not in policies/versions.lock") {
		t.Errorf("a version not locked: %q, %v", problems, added)
	}
}

func TestNextEncoding(t *testing.T) {
	for v, want := range map[string]string{
		"1.3":                          "1.3, encoding 2",
		"7B/G02 (undated), encoding 2": "7B/G02 (undated), encoding 3",
		"2024-05, encoding 9":          "2024-05, encoding 10",
	} {
		if got := nextEncoding(v); got != want {
			t.Errorf("nextEncoding(%q) = %q, want %q", v, got, want)
		}
	}
}
