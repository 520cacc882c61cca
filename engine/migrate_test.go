package engine

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storedV2 is one line of testdata/schema2/cases.jsonl.gz.
type storedV2 struct {
	Policy string          `json:"policy"`
	Case   json.RawMessage `json:"case"`
}

func readStoredV2(t *testing.T) []storedV2 {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "schema2", "cases.jsonl.gz"))
	require.NoError(t, err)
	defer f.Close()
	z, err := gzip.NewReader(f)
	require.NoError(t, err)
	var out []storedV2
	lines := bufio.NewScanner(z)
	lines.Buffer(nil, 1<<24)
	for lines.Scan() {
		var s storedV2
		require.NoError(t, json.Unmarshal(lines.Bytes(), &s))
		out = append(out, s)
	}
	require.NoError(t, lines.Err())
	return out
}

// normalized is a JSON value read generically with every time in it as UTC
// text, so two writings of the same instants compare equal.
func normalized(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case string:
			if tm, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return tm.UTC().Format(time.RFC3339Nano)
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = walk(x[k])
			}
		}
		return v
	}
	return walk(v)
}

// Every case the tests and examples stored under schema 2 migrates to a head
// and a record with nothing lost, and verifies.
func TestMigrateEveryStoredCase(t *testing.T) {
	stored := readStoredV2(t)
	require.GreaterOrEqual(t, len(stored), 800)
	policies := map[string]*Policy{}
	var entries int
	for i, s := range stored {
		p, ok := policies[s.Policy]
		if !ok {
			src, err := os.ReadFile(filepath.Join("testdata", "schema2", "policies", s.Policy))
			require.NoError(t, err)
			var diags Diagnostics
			p, diags = Load(s.Policy, src)
			require.NoError(t, diags.Err(), s.Policy)
			policies[s.Policy] = p
		}
		h, record, err := MigrateCase(s.Case)
		require.NoError(t, err, "case %d", i)
		require.Equal(t, CaseSchema, h.Schema)
		entries += len(record)

		// Nothing dropped: the head and the record write back to the case.
		headJSON, err := json.Marshal(h)
		require.NoError(t, err)
		var back map[string]any
		require.NoError(t, json.Unmarshal(headJSON, &back))
		assert.Equal(t, h.Hash.String(), back["hash"])
		delete(back, "hash")
		delete(back, "last")
		back["schema"] = 2.0
		var history []any
		for _, en := range record {
			data, err := json.Marshal(en)
			require.NoError(t, err)
			history = append(history, normalized(t, data))
		}
		back["history"] = history
		rewritten, err := json.Marshal(back)
		require.NoError(t, err)
		want := normalized(t, s.Case).(map[string]any)
		for _, key := range []string{"forms", "milestones", "obligations", "stage", "outcome"} {
			if v, ok := want[key]; ok && (v == nil || reflect.ValueOf(v).Len() == 0) {
				delete(want, key) // an empty one is left out of a head
			}
		}
		require.Equal(t, want, normalized(t, rewritten), "case %d (%s) lost or changed data in migrating", i, s.Policy)

		require.NoError(t, p.Verify(ctx, h, Entries(record)), "case %d (%s)", i, s.Policy)
		var read Head
		require.NoError(t, json.Unmarshal(headJSON, &read))
		require.NoError(t, p.Verify(ctx, read, Entries(record)), "case %d (%s), its head read back", i, s.Policy)
		_, err = read.Visits(Entries(record))
		require.NoError(t, err)
	}
	t.Logf("%d cases, %d entries, under %d policies", len(stored), entries, len(policies))
}

func TestMigrateCaseRefusesAnythingButSchema2(t *testing.T) {
	for _, tt := range []struct{ data, want string }{
		{`{"schema":3,"id":"c"}`, "case c is in schema 3; MigrateCase reads schema 2"},
		{`{"id":"c"}`, "case c is in schema 0; MigrateCase reads schema 2"},
		{`{"schema":2,"history":{}}`, "reading a stored case of schema 2: json: cannot unmarshal object"},
	} {
		_, _, err := MigrateCase([]byte(tt.data))
		assert.ErrorContains(t, err, tt.want)
	}
	_, _, err := MigrateCase([]byte(`{"schema":1}`))
	assert.ErrorIs(t, err, ErrCaseSchema)
}

// A case stored inconsistent under schema 2 (its revision counting more
// entries than it has) migrates as it was, and Verify says what is wrong.
func TestAMigratedInconsistentCaseFailsVerify(t *testing.T) {
	stored := readStoredV2(t)[0]
	var c map[string]any
	require.NoError(t, json.Unmarshal(stored.Case, &c))
	c["revision"] = c["revision"].(float64) + 4
	data, err := json.Marshal(c)
	require.NoError(t, err)
	h, record, err := MigrateCase(data)
	require.NoError(t, err)
	src, err := os.ReadFile(filepath.Join("testdata", "schema2", "policies", stored.Policy))
	require.NoError(t, err)
	p, diags := Load(stored.Policy, src)
	require.NoError(t, diags.Err())
	re := recordError(t, p.Verify(ctx, h, Entries(record)))
	assert.Equal(t, EntryMissing, re.How)
	assert.Equal(t, len(record)+1, re.Entry)
}
