package host

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safeguarding-partnerships/escalation/engine"
	"github.com/safeguarding-partnerships/escalation/policies"
	"github.com/safeguarding-partnerships/escalation/temporal"
)

func TestJournalAppendsInOrderOnce(t *testing.T) {
	ctx := context.Background()
	eng, err := policies.Engine()
	require.NoError(t, err)
	at := time.Date(2026, 12, 22, 9, 0, 0, 0, time.UTC)
	h1, e1, err := eng.Raise(ctx, "sefton", engine.Raise{CaseID: "c-1", Actor: "asha", Role: "practitioner", At: at})
	require.NoError(t, err)
	h2, e2, err := eng.Fire(ctx, h1, engine.Event{Name: "discussed", Actor: "asha", Role: "practitioner", At: at.Add(time.Hour)})
	require.NoError(t, err)
	h3, e3, err := eng.Fire(ctx, h2, engine.Event{Name: "plan_agreed", Actor: "asha", Role: "practitioner", At: at.Add(2 * time.Hour)})
	require.NoError(t, err)

	dir := t.TempDir()
	j, err := NewJournal(dir)
	require.NoError(t, err)
	require.NoError(t, j.Append(ctx, h1, e1))
	require.ErrorContains(t, j.Append(ctx, h3, e3), "holds 1 entries, so entry 3 cannot follow")
	require.NoError(t, j.Append(ctx, h2, e2))
	require.NoError(t, j.Append(ctx, h2, e2), "delivered again")
	require.ErrorContains(t, j.Append(ctx, engine.Head{ID: "../c-1"}, e1), "cannot name a file")

	// Another process takes over the same folder and carries on.
	again, err := NewJournal(dir)
	require.NoError(t, err)
	require.NoError(t, again.Append(ctx, h1, e1))
	require.NoError(t, again.Append(ctx, h3, e3))
	rec, err := again.Record("c-1")
	require.NoError(t, err)
	require.Len(t, rec, 3)
	require.NoError(t, eng.Verify(ctx, h3, engine.Entries(rec)))
}

func TestLinesWritesOneNoticeALine(t *testing.T) {
	var b bytes.Buffer
	l := NewLines(&b)
	n := temporal.Notice{Kind: temporal.Overdue, Case: "c-1", Obligation: "agree_plan"}
	require.NoError(t, l.Notify(context.Background(), n))
	require.NoError(t, l.Notify(context.Background(), n))
	lines := bytes.Split(bytes.TrimSpace(b.Bytes()), []byte("\n"))
	require.Len(t, lines, 2)
	var got temporal.Notice
	require.NoError(t, json.Unmarshal(lines[1], &got))
	assert.Equal(t, n, got)
}
