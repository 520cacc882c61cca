package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    []Block
		wantErr string
	}{
		{
			name: "unmarked blocks are not run",
			src:  "# T\n\n```sh\nrm -rf /\n```\n",
		},
		{
			name: "a marked script",
			src:  "<!-- runnable -->\n```sh\necho hi\n```\n",
			want: []Block{{Line: 2, Kind: Script, Lines: []string{"echo hi"}}},
		},
		{
			name: "blank lines between marker and fence, and a console block",
			src:  "x\n<!-- runnable -->\n\n```console\n$ echo hi\nhi\n```\n",
			want: []Block{{Line: 4, Kind: Console, Lines: []string{"$ echo hi", "hi"}}},
		},
		{
			name: "a longer fence holds a shorter one",
			src:  "<!-- runnable -->\n````bash title\ncat <<X\n```\nX\n````\n",
			want: []Block{{Line: 2, Kind: Script, Lines: []string{"cat <<X", "```", "X"}}},
		},
		{
			name:    "a marker followed by prose",
			src:     "<!-- runnable -->\nSome text\n```sh\necho\n```\n",
			wantErr: "2: <!-- runnable --> on line 1 is not followed by a fenced block",
		},
		{
			name:    "a marker at the end",
			src:     "text\n<!-- runnable -->\n",
			wantErr: "2: <!-- runnable --> is not followed by a fenced block",
		},
		{
			name:    "a block that cannot run",
			src:     "<!-- runnable -->\n```yaml\na: 1\n```\n",
			wantErr: `2: a runnable block must be sh, bash, shell or console, not "yaml"`,
		},
		{
			name:    "an unclosed block",
			src:     "<!-- runnable -->\n```sh\necho\n",
			wantErr: "2: the runnable block is never closed",
		},
		{
			name:    "two markers",
			src:     "<!-- runnable -->\n<!-- runnable -->\n```sh\necho\n```\n",
			wantErr: "2: a second <!-- runnable --> before the block of the one on line 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.src))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestCommands(t *testing.T) {
	b := Block{Line: 10, Kind: Console, Lines: []string{
		"$ go run . \\",
		"  --flag x",
		"out 1",
		"out ends with \\",
		"",
		"$ true",
	}}
	got := commands(b)
	want := []command{
		{Line: 11, Text: "go run . \\\n  --flag x", Want: []string{"out 1", "out ends with \\"}},
		{Line: 16, Text: "true", Want: []string{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		want, got []string
		ok        bool
	}{
		{nil, nil, true},
		{[]string{"a"}, []string{"a"}, true},
		{[]string{"a"}, []string{"b"}, false},
		{[]string{"a"}, []string{"a", "b"}, false},
		{[]string{"a", "b"}, []string{"a"}, false},
		{[]string{Ellipsis}, nil, true},
		{[]string{Ellipsis}, []string{"x", "y"}, true},
		{[]string{"a", Ellipsis, "z"}, []string{"a", "z"}, true},
		{[]string{"a", Ellipsis, "z"}, []string{"a", "b", "c", "z"}, true},
		{[]string{"a", Ellipsis, "z"}, []string{"a", "b", "c"}, false},
		{[]string{Ellipsis, "z"}, []string{"z", "y"}, false},
	}
	for _, tt := range tests {
		if got := match(tt.want, tt.got); got != tt.ok {
			t.Errorf("match(%q, %q) = %v, want %v", tt.want, tt.got, got, tt.ok)
		}
	}
}

// writeReadme makes a folder that is not a git repository, so the scratch
// copy is of every file, with one README.
func writeReadme(t *testing.T, readme string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "README.md"), []byte(readme), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "data.txt"), []byte("from the tree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestRunPasses(t *testing.T) {
	root := writeReadme(t, strings.Join([]string{
		"<!-- runnable -->",
		"```sh",
		"mkdir -p made && cp data.txt made/copy.txt",
		"```",
		"<!-- runnable -->",
		"```console",
		"$ cat made/copy.txt",
		"from the tree",
		"$ printf 'a\\nb\\nc\\nd\\n'",
		"a",
		"…",
		"d",
		"$ echo fails >&2; exit 3",
		"fails",
		"```",
		"",
	}, "\n"))
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-root", root}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if got, want := stdout.String(), "README.md: 2 block(s), 0 failed\n"; got != want {
		t.Fatalf("stdout = %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(root, "made")); !os.IsNotExist(err) {
		t.Fatalf("the walkthrough wrote into the tree itself: %v", err)
	}
}

func TestRunReportsEachFailure(t *testing.T) {
	root := writeReadme(t, strings.Join([]string{
		"intro",
		"<!-- runnable -->",
		"```sh",
		"false",
		"echo never",
		"```",
		"<!-- runnable -->",
		"```console",
		"$ cat data.txt",
		"from somewhere else",
		"$ echo right",
		"right",
		"```",
	}, "\n"))
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-root", root}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout.String(), stderr.String())
	}
	out := stderr.String()
	for _, want := range []string{
		"README.md:3: false\n    exit status 1",
		"README.md:9: cat data.txt\n    the output differs from the README's.\n    --- README\n    from somewhere else\n    --- got\n    from the tree",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "echo right") || strings.Contains(out, "never") {
		t.Errorf("a passing command or a line after a failing one was reported:\n%s", out)
	}
	if got, want := stdout.String(), "README.md: 2 block(s), 2 failed\n"; got != want {
		t.Fatalf("stdout = %q, want %q", got, want)
	}
}

// A block that does not finish, or leaves a server behind, is stopped at the
// timeout with everything it started.
func TestRunTimeout(t *testing.T) {
	root := writeReadme(t, "<!-- runnable -->\n```sh\nsleep 60 &\nsleep 60\n```\n")
	start := time.Now()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-root", root, "-timeout", "500ms"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr.String())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("took %v to stop a block with a 500ms timeout", took)
	}
	if !strings.Contains(stderr.String(), "still running after 500ms") {
		t.Fatalf("stderr = %s", stderr.String())
	}
}

func TestRunListAndBadMarker(t *testing.T) {
	root := writeReadme(t, "<!-- runnable -->\n```console\n$ true\n```\n")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-root", root, "-list"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got, want := stdout.String(), "README.md:2: console, 1 line(s)\n"; got != want {
		t.Fatalf("stdout = %q, want %q", got, want)
	}

	bad := writeReadme(t, "<!-- runnable -->\ntext\n")
	stderr.Reset()
	if code := run([]string{"-root", bad}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if want := "walkthrough: README.md:2: <!-- runnable --> on line 1 is not followed by a fenced block\n"; stderr.String() != want {
		t.Fatalf("stderr = %q, want %q", stderr.String(), want)
	}
}
