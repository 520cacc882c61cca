package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/safeguarding-partnerships/escalation/internal/source"
)

// fuzzDocuments gives the fuzzed policies' quotes a text to be checked
// against, under the names the test policies cite.
var fuzzDocuments = fstest.MapFS{
	"policy.txt":  {Data: []byte("Stage 1: the practitioner talks to their line manager within 2 working days.")},
	"fixture.txt": {Data: []byte("practitioner line manager senior manager stage 1 stage 2 stage 3 2 working days")},
	"quotes.txt":  {Data: []byte("Step 1 \u2013 the professional\u2019s line manager, within 2 working days.")},
}

// addFiles seeds a fuzz target with the files the patterns match.
func addFiles(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
}

// FuzzLoad feeds Load arbitrary bytes and mutations of the test policies: it
// must never panic, stay quick, and keep its promises about what it returns.
func FuzzLoad(f *testing.F) {
	addFiles(f, "testdata/*.yaml", "testdata/load/*.yaml")
	f.Fuzz(func(t *testing.T, src []byte) {
		start := time.Now()
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hung on %q", src)) }) // a hang becomes a crasher the fuzzer records
		defer watchdog.Stop()
		p, ds := Load("fuzz.yaml", src, WithDocuments(fuzzDocuments))
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Load took %v", d)
		}
		if (p == nil) != ds.HasErrors() {
			t.Fatalf("policy %v with errors %v", p != nil, ds.HasErrors())
		}
		lines := source.New(src).Lines() // as YAML counts them
		for i, d := range ds {
			if d.Code == "" || d.Message == "" {
				t.Fatalf("diagnostic without a code or message: %+v", d)
			}
			if d.Pos.File != "fuzz.yaml" || d.Pos.Line < 0 || d.Pos.Line > lines || d.Pos.Column < 0 {
				t.Fatalf("diagnostic out of the file: %+v", d)
			}
			if i > 0 && less(d, ds[i-1]) {
				t.Fatalf("diagnostics out of order: %v before %v", ds[i-1], d)
			}
		}
		var buf bytes.Buffer
		if err := WriteDiagnostics(&buf, ds, func(string) []byte { return src }); err != nil {
			t.Fatal(err)
		}
	})
}

// encodeRecord writes a case as a host's database holds it: the head's
// JSON on the first line, then each entry's, one a line.
func encodeRecord(t testing.TB, c rec) []byte {
	t.Helper()
	data, err := json.Marshal(c.Head)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range c.Entries {
		line, err := json.Marshal(en)
		if err != nil {
			t.Fatal(err)
		}
		data = append(append(data, '\n'), line...)
	}
	return data
}

// FuzzCase feeds the runtime stored cases as a host's database might give
// them back, damaged: a head's JSON on the first line, then the record's
// entries, one a line. Reading the head, asking what is due and available,
// listing visits, replaying, verifying and firing must answer or refuse,
// never panic. A head that reads is valid JSON, reads the same through
// encoding/json, and writes and reads back the same. A case that verifies still verifies after any event it accepts,
// with the new entry appended to its record.
func FuzzCase(f *testing.F) {
	p := loadTestPolicy(f, "casework.yaml")
	p11 := loadTestPolicy(f, "constructs.yaml")
	closed := fire(f, p11, raise(f, p11, "2026-12-22 10:00", map[string]any{"protect_by": "2026-12-23"}), "resolve", "practitioner", "2026-12-22 13:00")
	for _, c := range []rec{storedCase(f, p), benchCase(f, p), fire(f, p, benchCase(f, p), "resolve", "line_manager", "2026-12-22 13:00"), closed} {
		f.Add(encodeRecord(f, c))
	}
	at := time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		first, rest, _ := bytes.Cut(data, []byte("\n"))
		var h, viaJSON Head
		if h.UnmarshalJSON(first) != nil { // the head's reader itself, which checks as it reads
			return
		}
		if !json.Valid(first) {
			t.Fatalf("read a head from invalid JSON %q", first)
		}
		if err := json.Unmarshal(first, &viaJSON); err != nil || headDiff(&h, &viaJSON) != "" {
			t.Fatalf("through encoding/json the head reads otherwise: %v", err)
		}
		again, err := json.Marshal(h)
		if err != nil {
			t.Fatalf("a head that reads does not write: %v", err)
		}
		var back Head
		if err := json.Unmarshal(again, &back); err != nil {
			t.Fatalf("a written head does not read back: %v\n%s", err, again)
		}
		if d := headDiff(&h, &back); d != "" || h.Revision != back.Revision || h.Hash != back.Hash {
			t.Fatalf("the head reads back with another %s\n%s", d, again)
		}
		var entries []*Entry
		for _, line := range bytes.Split(rest, []byte("\n")) {
			en := new(Entry)
			if json.Unmarshal(line, en) != nil {
				en = nil // an entry the database cannot give back is missing
			}
			entries = append(entries, en)
		}
		record := Entries(entries)
		_, _ = h.Visits(record)
		for i, p := range []*Policy{p, p11} {
			facts := []map[string]any{{"meetings": 1}, {"dispute_area": "threshold", "disagreement_date": "2027-01-04"}}[i]
			_, _ = p.Due(h, at)
			_, _ = p.Available(ctx, h, "lee", "line_manager", at)
			_, _ = p.Replay(ctx, record)
			verified := p.Verify(ctx, h, record) == nil
			for _, name := range []string{"met", "escalate", "formally_escalate", "resolve", "withdraw", "decide", "update", "letter_sent", "meeting"} {
				next, en, err := p.Fire(ctx, h, Event{Name: name, Actor: "lee", Role: "line_manager", At: at, Facts: facts})
				if err == nil && verified {
					if err := p.Verify(ctx, next, Entries(append(slices.Clip(entries), en))); err != nil {
						t.Fatalf("%s on a verified case gave a case that does not verify: %v", name, err)
					}
				}
			}
		}
	})
}

func less(a, b *Diagnostic) bool {
	if a.Pos.Line != b.Pos.Line {
		return a.Pos.Line < b.Pos.Line
	}
	if a.Pos.Column != b.Pos.Column {
		return a.Pos.Column < b.Pos.Column
	}
	return a.Severity < b.Severity
}

// BenchmarkLoad loads and compiles the worked example.
func BenchmarkLoad(b *testing.B) {
	benchmarkLoad(b, filepath.Join("testdata", "riverside.yaml"))
}

// BenchmarkLoadBundled loads and compiles each policy under policies/.
func BenchmarkLoadBundled(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("..", "policies", "*.yaml"))
	if len(files) == 0 {
		b.Fatal("no policies found under ../policies")
	}
	for _, file := range files {
		b.Run(filepath.Base(file), func(b *testing.B) { benchmarkLoad(b, file) })
	}
}

func benchmarkLoad(b *testing.B, file string) {
	src, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ds := Load(file, src); ds.HasErrors() {
			b.Fatal(ds)
		}
	}
}
