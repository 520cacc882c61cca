package udiff

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUnified(t *testing.T) {
	for _, tc := range []struct{ name, a, b, want string }{
		{"the same", "a\nb\n", "a\nb\n", ""},
		{"one line changed", "a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nd\nE\nf\ng\nh\n",
			"--- a\n+++ b\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"},
		{"a move", "title: t\nsource: s\nkind: k\n", "kind: k\ntitle: t\nsource: s\n",
			"--- a\n+++ b\n@@ -1,3 +1,3 @@\n+kind: k\n title: t\n source: s\n-kind: k\n"},
		{"two hunks far apart", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
			"--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n"},
		{"into an empty file", "a\n", "", "--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n"},
		{"from an empty file", "", "a\nb\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"a final newline added", "a\nb", "a\nb\n", "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Unified("a", "b", tc.a, tc.b))
		})
	}
}

// Whatever the texts, the script's kept and deleted lines are a, and its
// kept and inserted lines are b.
func TestLinesRebuildBothTexts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "b", "c", "d", "e"}
	text := func() []string {
		out := make([]string, rng.IntN(30))
		for i := range out {
			out[i] = words[rng.IntN(len(words))]
		}
		return out
	}
	for range 2000 {
		a, b := text(), text()
		var gotA, gotB []string
		for _, op := range Lines(a, b) {
			if op.Kind != '+' {
				gotA = append(gotA, op.Line)
			}
			if op.Kind != '-' {
				gotB = append(gotB, op.Line)
			}
		}
		assert.Equal(t, strings.Join(a, ","), strings.Join(gotA, ","))
		assert.Equal(t, strings.Join(b, ","), strings.Join(gotB, ","))
	}
}

// A large file with a change near each end is matched without a quadratic
// table: the unchanged middle anchors it.
func BenchmarkUnifiedLargeFile(b *testing.B) {
	var lines []string
	for i := range 20000 {
		lines = append(lines, "line "+strings.Repeat("x", i%7)+string(rune('a'+i%26))+strings.Repeat("y", i%11)+" "+string(rune('A'+i%17)))
		lines[i] += " " + strings.Repeat("z", i%13) + string(rune(i))
	}
	before := strings.Join(lines, "\n") + "\n"
	lines[3], lines[19990] = "changed", "changed too"
	after := strings.Join(lines, "\n") + "\n"
	b.ReportAllocs()
	for range b.N {
		if Unified("a", "b", before, after) == "" {
			b.Fatal("no difference found")
		}
	}
}
