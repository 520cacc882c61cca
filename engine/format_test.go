package engine

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/safeguarding-partnerships/escalation/internal/yamlfmt"
)

// Format's order names every key of every element exactly once, so a key
// added to the language is placed on purpose.
func TestCanonicalOrderCoversEveryKey(t *testing.T) {
	seen := map[*shape]bool{}
	var visit func(sh *shape)
	visitType := func(ty *typ) {
		for ; ty != nil; ty = ty.elem {
			if ty.shape != nil {
				visit(ty.shape)
			}
			if ty.kind == kindSources {
				visit(sourceShape)
			}
		}
	}
	visit = func(sh *shape) {
		if seen[sh] {
			return
		}
		seen[sh] = true
		assert.ElementsMatch(t, sh.keys(), canonicalOrder[sh], sh.name)
		for i := range sh.fields {
			visitType(&sh.fields[i].typ)
		}
	}
	visit(policyShape)
	assert.Len(t, canonicalOrder, len(seen), "no order for a shape the language does not have")
}

// fingerprint writes down everything a loaded policy says, and nothing about
// where in the file it says it: every exported field, following pointers
// (an element met again is written as the number of its first visit), but
// no position and no file name. Two policies with the same fingerprint run
// every case alike.
func fingerprint(p *Policy) string {
	var b strings.Builder
	seen := map[uintptr]int{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			if n, ok := seen[v.Pointer()]; ok {
				fmt.Fprintf(&b, "@%d", n)
				return
			}
			seen[v.Pointer()] = len(seen)
			walk(v.Elem())
		case reflect.Struct:
			if v.Type() == reflect.TypeOf(time.Time{}) {
				fmt.Fprint(&b, v.Interface())
				return
			}
			b.WriteString("{")
			for i := range v.NumField() {
				ft := v.Type().Field(i)
				if !ft.IsExported() || ft.Type == reflect.TypeOf(Pos{}) || ft.Name == "File" && ft.Type.Kind() == reflect.String && v.Type() == reflect.TypeOf(Policy{}) {
					continue
				}
				fmt.Fprintf(&b, "%s:", ft.Name)
				walk(v.Field(i))
				b.WriteString(" ")
			}
			b.WriteString("}")
		case reflect.Slice, reflect.Array:
			b.WriteString("[")
			for i := range v.Len() {
				walk(v.Index(i))
				b.WriteString(",")
			}
			b.WriteString("]")
		case reflect.Map:
			keys := v.MapKeys()
			sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
			b.WriteString("map[")
			for _, k := range keys {
				fmt.Fprintf(&b, "%v:", k)
				walk(v.MapIndex(k))
				b.WriteString(",")
			}
			b.WriteString("]")
		case reflect.Interface:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			walk(v.Elem())
		default:
			fmt.Fprintf(&b, "%#v", v.Interface())
		}
	}
	walk(reflect.ValueOf(p))
	return b.String()
}

// withoutPositions is what diagnostics say, without where: formatting moves
// lines.
func withoutPositions(ds Diagnostics) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Severity.String() + " " + d.Code + ": " + d.Message
	}
	sort.Strings(out)
	return out
}

// checkFormat formats src and checks the promises: formatting again changes
// nothing, and the file loads (or fails) exactly as before: the same policy,
// the same diagnostics.
func checkFormat(t *testing.T, name string, src []byte) []byte {
	t.Helper()
	out, ds := Format(name, src)
	if ds.HasErrors() {
		return nil
	}
	again, ds := Format(name, out)
	require.False(t, ds.HasErrors(), "%s: the formatted file does not format: %v", name, ds)
	require.Equal(t, string(out), string(again), "%s: formatting is idempotent", name)

	opts := []LoadOption{WithToday(goldenToday), WithDocuments(fuzzDocuments)}
	before, bds := Load(name, src, opts...)
	after, ads := Load(name, out, opts...)
	require.Equal(t, before == nil, after == nil, "%s: loads before %v, after %v", name, bds, ads)
	assert.Equal(t, withoutPositions(bds), withoutPositions(ads), "%s: the same diagnostics", name)
	if before != nil {
		assert.Equal(t, fingerprint(before), fingerprint(after), "%s: the same policy", name)
	}
	return out
}

// Formatting every policy the project has, valid or not, keeps its meaning.
func TestFormatKeepsTheMeaning(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "policies", "*.yaml"))
	require.NoError(t, err)
	for _, pattern := range []string{"testdata/*.yaml", "testdata/load/*.yaml", "../examples/newarea/policy.yaml"} {
		more, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, more...)
	}
	formatted := 0
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			if checkFormat(t, filepath.Base(file), src) != nil {
				formatted++
			}
		})
	}
	assert.Greater(t, formatted, len(files)*3/4, "most of the files format (the others are not YAML)")
}

// A policy scrambled (keys of every element shuffled, indented by four, blank
// lines lost) formats back into the canonical order and means what it meant.
func TestFormatUnscrambles(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "policies", "sefton.yaml"))
	require.NoError(t, err)
	want, ds := Format("sefton.yaml", src)
	require.False(t, ds.HasErrors(), "%v", ds)
	for seed := range uint64(5) {
		rng := rand.New(rand.NewPCG(seed, 16))
		var doc yaml.Node
		require.NoError(t, yaml.Unmarshal(src, &doc))
		shuffle(doc.Content[0], formatRule(), rng)
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(4)
		require.NoError(t, enc.Encode(&doc))
		scrambled := b.Bytes()
		require.NotEqual(t, string(want), string(scrambled))

		got := checkFormat(t, "sefton.yaml", scrambled)
		require.NotNil(t, got)
		before, _ := Load("sefton.yaml", src)
		after, _ := Load("sefton.yaml", got)
		require.NotNil(t, after)
		assert.Equal(t, fingerprint(before), fingerprint(after), "seed %d", seed)
		assert.Equal(t, keyOrder(t, want), keyOrder(t, got), "seed %d: the canonical order", seed)
	}
}

// shuffle puts the keys of every element (not of id maps) in random order.
func shuffle(n *yaml.Node, r *yamlfmt.Rule, rng *rand.Rand) {
	if n == nil || r == nil {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			sub := r.Values
			if f, ok := r.Fields[n.Content[i].Value]; ok {
				sub = f
			}
			shuffle(n.Content[i+1], sub, rng)
		}
		if len(r.Keys) > 0 {
			pairs := len(n.Content) / 2
			rng.Shuffle(pairs, func(i, j int) {
				n.Content[2*i], n.Content[2*j] = n.Content[2*j], n.Content[2*i]
				n.Content[2*i+1], n.Content[2*j+1] = n.Content[2*j+1], n.Content[2*i+1]
			})
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			shuffle(c, r.Items, rng)
		}
	}
}

// keyOrder lists every mapping's keys, in the order the file has them.
func keyOrder(t *testing.T, src []byte) []string {
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(src, &doc))
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			var keys []string
			for i := 0; i < len(n.Content); i += 2 {
				keys = append(keys, n.Content[i].Value)
			}
			out = append(out, strings.Join(keys, " "))
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	return out
}

// FuzzFormat formats arbitrary bytes and mutations of the project's
// policies: Format must never panic, must be idempotent, and must leave a
// file that loads to the same policy with the same diagnostics (checkFormat).
func FuzzFormat(f *testing.F) {
	addFiles(f, "testdata/*.yaml", "testdata/load/*.yaml", "../policies/*.yaml")
	f.Fuzz(func(t *testing.T, src []byte) {
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hung on %q", src)) })
		defer watchdog.Stop()
		checkFormat(t, "fuzz.yaml", src)
	})
}

// BenchmarkFormatSefton lays out the largest bundled policy (about 25 KiB),
// checking its own work as it always does.
func BenchmarkFormatSefton(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "policies", "sefton.yaml"))
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for range b.N {
		if _, ds := Format("sefton.yaml", src); ds.HasErrors() {
			b.Fatal(ds)
		}
	}
}
