// Package udiff writes the difference between two texts as a unified diff,
// as diff -u and git diff do, for escalation fmt --diff.
//
// Lines are matched by patience diffing: lines that occur once in each text
// anchor the match (the longest run of them in order), and the stretches
// between anchors are matched the same way, or, when small enough, by the
// longest common subsequence. The cost stays near-linear on the files fmt
// reads (up to 1 MiB), and a reordered block reads as one move, not a
// scatter of one-line changes.
package udiff

import (
	"fmt"
	"sort"
	"strings"
)

// Op is one line of an edit script: kept (' '), deleted ('-') or inserted
// ('+').
type Op struct {
	Kind byte
	Line string
}

// Lines returns the edit script that turns a into b.
func Lines(a, b []string) []Op {
	var ops []Op
	match(a, b, &ops)
	return ops
}

// maxTable bounds the longest-common-subsequence table (cells) used between
// anchors; past it, a stretch is deleted and inserted whole.
const maxTable = 1 << 20

func match(a, b []string, ops *[]Op) {
	// The common ends.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	for _, l := range a[:pre] {
		*ops = append(*ops, Op{' ', l})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	switch anchors := uniqueAnchors(ma, mb); {
	case len(ma) == 0 || len(mb) == 0:
		replace(ma, mb, ops)
	case len(anchors) > 0:
		i, j := 0, 0
		for _, an := range anchors {
			match(ma[i:an[0]], mb[j:an[1]], ops)
			*ops = append(*ops, Op{' ', ma[an[0]]})
			i, j = an[0]+1, an[1]+1
		}
		match(ma[i:], mb[j:], ops)
	case len(ma)*len(mb) <= maxTable:
		lcs(ma, mb, ops)
	default:
		replace(ma, mb, ops)
	}
	for _, l := range a[len(a)-suf:] {
		*ops = append(*ops, Op{' ', l})
	}
}

func replace(a, b []string, ops *[]Op) {
	for _, l := range a {
		*ops = append(*ops, Op{'-', l})
	}
	for _, l := range b {
		*ops = append(*ops, Op{'+', l})
	}
}

// uniqueAnchors pairs the lines that occur once in a and once in b, and
// returns the longest list of pairs in order in both (patience sorting).
func uniqueAnchors(a, b []string) [][2]int {
	type seen struct{ na, nb, ia, ib int }
	count := map[string]*seen{}
	for i, l := range a {
		s := count[l]
		if s == nil {
			s = &seen{}
			count[l] = s
		}
		s.na++
		s.ia = i
	}
	for j, l := range b {
		if s := count[l]; s != nil {
			s.nb++
			s.ib = j
		}
	}
	var pairs [][2]int
	for _, s := range count {
		if s.na == 1 && s.nb == 1 {
			pairs = append(pairs, [2]int{s.ia, s.ib})
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0] < pairs[j][0] })
	// The longest increasing run of b's indexes, by patience sorting.
	var tops []int // tops[k]: the pair ending the best run of length k+1
	prev := make([]int, len(pairs))
	for p, pr := range pairs {
		k := sort.Search(len(tops), func(k int) bool { return pairs[tops[k]][1] > pr[1] })
		prev[p] = -1
		if k > 0 {
			prev[p] = tops[k-1]
		}
		if k == len(tops) {
			tops = append(tops, p)
		} else {
			tops[k] = p
		}
	}
	if len(tops) == 0 {
		return nil
	}
	run := make([][2]int, len(tops))
	for k, p := len(tops)-1, tops[len(tops)-1]; k >= 0; k, p = k-1, prev[p] {
		run[k] = pairs[p]
	}
	return run
}

// lcs matches a and b by their longest common subsequence.
func lcs(a, b []string, ops *[]Op) {
	n, m := len(a), len(b)
	t := make([]int32, (n+1)*(m+1)) // t[i*(m+1)+j]: the LCS of a[i:] and b[j:]
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i*(m+1)+j] = t[(i+1)*(m+1)+j+1] + 1
			} else {
				t[i*(m+1)+j] = max(t[(i+1)*(m+1)+j], t[i*(m+1)+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			*ops = append(*ops, Op{' ', a[i]})
			i, j = i+1, j+1
		case t[(i+1)*(m+1)+j] >= t[i*(m+1)+j+1]:
			*ops = append(*ops, Op{'-', a[i]})
			i++
		default:
			*ops = append(*ops, Op{'+', b[j]})
			j++
		}
	}
	replace(a[i:], b[j:], ops)
}

// context is how many unchanged lines a hunk shows around its changes.
const context = 3

// Unified returns the unified diff that turns text a (named aName) into b
// (bName), or "" when they are the same.
func Unified(aName, bName, a, b string) string {
	ops := Lines(splitLines(a), splitLines(b))
	var out strings.Builder
	for start := 0; start < len(ops); {
		first := start
		for first < len(ops) && ops[first].Kind == ' ' {
			first++
		}
		if first == len(ops) {
			break
		}
		// A hunk runs from context lines before the first change to context
		// lines after the last change that is not followed by a longer run of
		// unchanged lines than two hunks' context.
		lo, hi := max(first-context, start), first
		for hi < len(ops) {
			next := hi
			for next < len(ops) && ops[next].Kind != ' ' {
				next++
			}
			same := next
			for same < len(ops) && ops[same].Kind == ' ' {
				same++
			}
			if same == len(ops) || same-next > 2*context {
				hi = min(next+context, len(ops))
				break
			}
			hi = same
		}
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
		}
		writeHunk(&out, ops, lo, hi)
		start = hi
	}
	return out.String()
}

// writeHunk writes ops[lo:hi] with its @@ header, counting lines from the
// start of ops.
func writeHunk(out *strings.Builder, ops []Op, lo, hi int) {
	aLine, bLine := 1, 1
	for _, op := range ops[:lo] {
		if op.Kind != '+' {
			aLine++
		}
		if op.Kind != '-' {
			bLine++
		}
	}
	aCount, bCount := 0, 0
	for _, op := range ops[lo:hi] {
		if op.Kind != '+' {
			aCount++
		}
		if op.Kind != '-' {
			bCount++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", span(aLine, aCount), span(bLine, bCount))
	for _, op := range ops[lo:hi] {
		out.WriteByte(op.Kind)
		if line, ok := strings.CutSuffix(op.Line, noNewline); ok {
			out.WriteString(line + "\n\\ No newline at end of file\n")
			continue
		}
		out.WriteString(op.Line)
		out.WriteByte('\n')
	}
}

// span is a hunk's range as diff -u writes it: an empty range names the line
// before it.
func span(line, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", line-1)
	case 1:
		return fmt.Sprint(line)
	}
	return fmt.Sprintf("%d,%d", line, count)
}

// noNewline marks a last line with no line end, so that it differs from
// the same words with one.
const noNewline = "\x00"

// splitLines splits text into lines without their ends.
func splitLines(text string) []string {
	if text == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if !strings.HasSuffix(text, "\n") {
		lines[len(lines)-1] += noNewline
	}
	return lines
}
