package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"runtime"
	"slices"
	"time"

	"github.com/safeguarding-partnerships/escalation/engine"
	_ "modernc.org/sqlite" // registers the "sqlite" driver: pure Go, so no C toolchain is needed
)

// Errors the store returns, which the API maps to HTTP statuses.
var (
	errCaseNotFound = errors.New("no such case")
	errCaseExists   = errors.New("a case with this id already exists")
	// errConflict: the case's stored revision is no longer the one the write
	// was computed from, because another write won.
	errConflict = errors.New("the case has changed since it was read")
)

// schema is created on start. Every statement is idempotent.
//
// A case is its head and its record, kept apart: cases holds the head (its
// JSON in state) and is overwritten on each event, guarded by its revision;
// history holds the record, one row per entry, and is only ever appended to,
// each entry after the one it follows, which the triggers enforce against
// any later code or hand-written SQL. Reading or writing a case touches its
// head and one new entry, however long its record. obligations is the index
// the nightly sweep reads: one row per obligation still owed with a deadline,
// keyed by its due instant so the sweep is a range scan of the primary key.
// participants lists who has acted on each case, for the API's check that a
// caller holds a role in a case. failures holds each case whose record was
// found not to verify, and how: such a case is refused, to reads and acts
// alike, until someone has looked into it and removed its row.
const schema = `
CREATE TABLE IF NOT EXISTS cases (
	id       TEXT PRIMARY KEY,
	policy   TEXT NOT NULL,
	version  TEXT NOT NULL,
	revision INTEGER NOT NULL,
	stage    TEXT NOT NULL,
	outcome  TEXT NOT NULL,
	closed   INTEGER NOT NULL,
	state    TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS history (
	case_id TEXT NOT NULL REFERENCES cases (id),
	seq     INTEGER NOT NULL,
	entry   TEXT NOT NULL,
	hash    TEXT NOT NULL,
	PRIMARY KEY (case_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

CREATE TRIGGER IF NOT EXISTS history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

CREATE TRIGGER IF NOT EXISTS history_in_order BEFORE INSERT ON history
WHEN NOT (new.seq = 1 AND json_extract(new.entry, '$.prev') = '')
	AND json_extract(new.entry, '$.prev') IS NOT
		(SELECT hash FROM history WHERE case_id = new.case_id AND seq = new.seq - 1)
BEGIN SELECT RAISE(ABORT, 'history entries are appended in order, each after the one it follows'); END;

CREATE TABLE IF NOT EXISTS obligations (
	due        INTEGER NOT NULL,
	case_id    TEXT NOT NULL REFERENCES cases (id),
	stage      TEXT NOT NULL,
	obligation TEXT NOT NULL,
	policy     TEXT NOT NULL,
	version    TEXT NOT NULL,
	PRIMARY KEY (due, case_id, stage, obligation)
) STRICT, WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS obligations_by_case ON obligations (case_id);

CREATE TABLE IF NOT EXISTS participants (
	case_id TEXT NOT NULL,
	actor   TEXT NOT NULL,
	PRIMARY KEY (case_id, actor)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS failures (
	case_id  TEXT PRIMARY KEY,
	entry    INTEGER NOT NULL,
	how      TEXT NOT NULL,
	detail   TEXT NOT NULL,
	detected TEXT NOT NULL
) STRICT;
`

// overdueQuery is the sweep. It reads only the obligations index, in the
// order of its primary key, so it needs no sort and touches no case.
const overdueQuery = `SELECT case_id, policy, version, stage, obligation, due FROM obligations
WHERE due <= ? ORDER BY due, case_id, stage, obligation`

// Store keeps cases in one SQLite file.
type Store struct {
	eng *engine.Engine
	// write has a single connection: SQLite takes one writer at a time, and
	// queueing writers here rather than in SQLite's lock means a write waits
	// its turn instead of failing with "database is locked".
	write *sql.DB
	// read is a pool: in WAL mode readers never wait for the writer.
	read *sql.DB
	// Statements prepared once on the writer and bound to each transaction.
	insertCase, updateCase, tailHash, insertEntry, deleteOwed, insertOwed, insertParticipant *sql.Stmt
	// checkpoints has the checkpoint of every head written, kept outside the
	// database (nil keeps none).
	checkpoints *Checkpoints
}

// OpenStore opens (creating if need be) the database at path, bringing any
// case stored by an earlier schema to the engine's, and the checkpoint file
// at checkpoints ("" for none): every head read is checked against the
// checkpoint kept for it, and every head written leaves one.
func OpenStore(ctx context.Context, path string, eng *engine.Engine, checkpoints string) (*Store, error) {
	// WAL lets the sweep and the API's reads run while a write commits; the
	// busy timeout covers another process (a second server, a backup) holding
	// the lock; BEGIN IMMEDIATE takes the write lock at the start of a
	// transaction, so it can never fail halfway on a lock upgrade.
	// synchronous stays at its default, FULL: an act the API has acknowledged
	// survives a power cut.
	params := url.Values{"_pragma": {"busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(1)"}, "_txlock": {"immediate"}}
	write, err := sql.Open("sqlite", path+"?"+params.Encode())
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	s := &Store{eng: eng, write: write}
	var hadParticipants bool
	if err := write.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sqlite_master WHERE name = 'participants'`).Scan(&hadParticipants); err != nil {
		write.Close()
		return nil, err
	}
	if _, err := write.ExecContext(ctx, schema); err != nil {
		write.Close()
		return nil, fmt.Errorf("creating the schema in %s: %w", path, err)
	}
	if !hadParticipants { // a database from before the table: who acted is in the record
		if _, err := write.ExecContext(ctx, `INSERT OR IGNORE INTO participants (case_id, actor)
			SELECT case_id, json_extract(entry, '$.actor') FROM history`); err != nil {
			write.Close()
			return nil, fmt.Errorf("listing who acted on each case in %s: %w", path, err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("migrating the cases in %s: %w", path, err)
	}
	if checkpoints != "" {
		if s.checkpoints, err = OpenCheckpoints(checkpoints); err != nil {
			write.Close()
			return nil, err
		}
	}
	params = url.Values{"_pragma": {"busy_timeout(5000)", "query_only(1)"}}
	if s.read, err = sql.Open("sqlite", path+"?"+params.Encode()); err != nil {
		write.Close()
		s.checkpoints.Close()
		return nil, err
	}
	// Reads are CPU-bound in a pure-Go SQLite: more connections than CPUs
	// would only queue in the scheduler instead of here.
	s.read.SetMaxOpenConns(runtime.GOMAXPROCS(0))
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&s.insertCase, `INSERT INTO cases (id, policy, version, revision, stage, outcome, closed, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`},
		{&s.updateCase, `UPDATE cases SET revision = ?, stage = ?, outcome = ?, closed = ?, state = ?
			WHERE id = ? AND revision = ?`},
		{&s.tailHash, `SELECT hash FROM history WHERE case_id = ? AND seq = ?`},
		{&s.insertEntry, `INSERT INTO history (case_id, seq, entry, hash) VALUES (?, ?, ?, ?)`},
		{&s.deleteOwed, `DELETE FROM obligations WHERE case_id = ?`},
		{&s.insertOwed, `INSERT INTO obligations (due, case_id, stage, obligation, policy, version)
			VALUES (?, ?, ?, ?, ?, ?)`},
		{&s.insertParticipant, `INSERT OR IGNORE INTO participants (case_id, actor) VALUES (?, ?)`},
	} {
		if *p.stmt, err = write.PrepareContext(ctx, p.query); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the database and the checkpoint file. Closing the pools
// closes their statements.
func (s *Store) Close() error {
	return errors.Join(s.write.Close(), s.read.Close(), s.checkpoints.Close())
}

// Written is what the engine returned for a case: its head, and the entries
// to append to its record.
type Written struct {
	Head    engine.Head
	Entries []*engine.Entry
}

// Create stores newly raised cases, all in one transaction: one for the API,
// thousands for an import. It fails with errCaseExists if an id is taken.
func (s *Store) Create(ctx context.Context, cases ...Written) error {
	lines := make([]AuditLine, len(cases))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		insert := tx.StmtContext(ctx, s.insertCase)
		for i, c := range cases {
			h := c.Head
			state, err := json.Marshal(h)
			if err != nil {
				return err
			}
			lines[i] = auditLine(h, state)
			res, err := insert.ExecContext(ctx, h.ID, h.Policy.ID, h.Policy.Version, h.Revision, h.Stage, h.Outcome, h.Closed(), string(state))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return fmt.Errorf("%w: %s", errCaseExists, h.ID)
			}
			if err := s.appendAndIndex(ctx, tx, h, c.Entries...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.checkpoints.Keep(lines...)
}

// Update replaces the head that was at revision from with the head the
// engine returned, and appends the entry that records the act. If the stored
// revision is no longer from, another write won the race: nothing is written
// and the error is errConflict, so no act is ever silently lost. If the
// record does not end with the entry the head was at (it was cut short, or
// its last entry replaced, in the database), nothing is written, and the
// case is kept as failed.
func (s *Store) Update(ctx context.Context, from int64, to engine.Head, en *engine.Entry) error {
	state, err := json.Marshal(to)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, s.updateCase).ExecContext(ctx,
			to.Revision, to.Stage, to.Outcome, to.Closed(), string(state), to.ID, from)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("%w: case %s is no longer at revision %d; read it again", errConflict, to.ID, from)
		}
		if err := s.checkTail(ctx, tx, to.ID, from, en.Prev); err != nil {
			return err
		}
		return s.appendAndIndex(ctx, tx, to, en)
	})
	if err != nil {
		return s.failed(ctx, to.ID, err)
	}
	// After the commit: a checkpoint is never ahead of what the database
	// holds, so a crash in between costs one write's protection, never a
	// false alarm.
	return s.checkpoints.Keep(auditLine(to, state))
}

// checkTail checks that a case's record ends, at entry seq, with the entry
// whose hash is prev, the one the head names: an act appended after a record
// cut short or replaced would bury the damage. It reads one row, and does
// not rely on the triggers, which anyone with the database file can drop.
func (s *Store) checkTail(ctx context.Context, tx *sql.Tx, id string, seq int64, prev engine.Digest) error {
	var tail string
	err := tx.StmtContext(ctx, s.tailHash).QueryRowContext(ctx, id, seq).Scan(&tail)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &engine.RecordError{Case: id, Entry: int(seq), How: engine.EntryMissing,
			Detail: fmt.Sprintf("the head is at revision %d, but the record has no entry %d: it was cut short in the database", seq, seq)}
	case err != nil:
		return err
	case tail != prev.String():
		return &engine.RecordError{Case: id, Entry: int(seq), How: engine.EntryEdited,
			Detail: "it is not the entry the head names: it was replaced in the database"}
	}
	return nil
}

// appendAndIndex appends entries to h's record, and rewrites the case's rows
// in the obligations index.
func (s *Store) appendAndIndex(ctx context.Context, tx *sql.Tx, h engine.Head, entries ...*engine.Entry) error {
	insert := tx.StmtContext(ctx, s.insertEntry)
	for _, en := range entries {
		b, err := json.Marshal(en)
		if err != nil {
			return err
		}
		if _, err := insert.ExecContext(ctx, h.ID, en.Seq, string(b), en.Hash.String()); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, s.insertParticipant).ExecContext(ctx, h.ID, en.Actor); err != nil {
			return err
		}
	}
	if _, err := tx.StmtContext(ctx, s.deleteOwed).ExecContext(ctx, h.ID); err != nil {
		return err
	}
	// The time passed to Due only sets each duty's status, which is not used:
	// the index holds every obligation still owed, whether late yet or not.
	duties, err := s.eng.Due(h, h.Entered)
	if err != nil {
		return err
	}
	insert = tx.StmtContext(ctx, s.insertOwed)
	for _, d := range duties {
		if !d.Met.IsZero() || d.Due.IsZero() {
			continue // met, waiting for a milestone, or without a timescale: never overdue
		}
		// Whole seconds are exact: deadlines are midnights, or whole hours after
		// an act whose time the API keeps to the second.
		if _, err := insert.ExecContext(ctx, d.Due.Unix(), h.ID, h.Stage, d.Obligation.ID, h.Policy.ID, h.Policy.Version); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // a no-op once committed; on failure, fn's error is the one to report
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Get reads a case's head: all the engine needs to act on it, whatever the
// length of its record. A case whose record was found not to verify is
// refused, as is a head behind the audit log's checkpoint for it (the
// database was put back to an earlier state), and a head at the
// checkpoint's revision that is not the head the audit log names (it was
// changed in the database).
func (s *Store) Get(ctx context.Context, id string) (engine.Head, error) {
	h, err := s.head(ctx, s.read, id)
	return h, s.failed(ctx, id, err)
}

// querier is a database or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// knownFailure is a failure the failures table holds already.
type knownFailure struct{ *engine.RecordError }

func (k knownFailure) Unwrap() error { return k.RecordError }

func (s *Store) head(ctx context.Context, q querier, id string) (engine.Head, error) {
	// The audit line is read first: it is kept after its write commits, so
	// the head read next is at least as new, unless the database went back.
	cp, kept := s.checkpoints.Latest(id)
	var (
		h       engine.Head
		state   []byte
		entry   sql.NullInt64
		how     sql.NullString
		details sql.NullString
	)
	err := q.QueryRowContext(ctx, `SELECT c.state, f.entry, f.how, f.detail FROM cases c
		LEFT JOIN failures f ON f.case_id = c.id WHERE c.id = ?`, id).Scan(&state, &entry, &how, &details)
	if errors.Is(err, sql.ErrNoRows) {
		if kept { // the case was raised and written, and is gone
			return engine.Head{}, &engine.RecordError{Case: id, How: engine.RolledBack,
				Detail: fmt.Sprintf("the database has no such case, but the checkpoint kept elsewhere has it at revision %d", cp.Revision)}
		}
		return engine.Head{}, fmt.Errorf("%w: %q", errCaseNotFound, id)
	}
	if err != nil {
		return engine.Head{}, err
	}
	if how.Valid {
		return engine.Head{}, knownFailure{&engine.RecordError{Case: id, Entry: int(entry.Int64), How: engine.Tampering(how.String), Detail: details.String}}
	}
	if err := json.Unmarshal(state, &h); err != nil {
		return engine.Head{}, fmt.Errorf("case %s: stored head: %w", id, err)
	}
	if kept {
		if err := cp.Check(h); err != nil {
			return engine.Head{}, err
		}
		if h.Revision == cp.Revision && !cp.Head.IsZero() && sha256.Sum256(state) != cp.Head {
			return engine.Head{}, &engine.RecordError{Case: id, How: engine.HeadDiffers,
				Detail: "it is not the head the audit log kept elsewhere names at its revision: it was changed in the database"}
		}
	}
	return h, nil
}

// failed keeps a case whose record does not verify in the failures table,
// so that it is refused from now on, to this server and any other on the
// database, and returns err.
func (s *Store) failed(ctx context.Context, id string, err error) error {
	var (
		record *engine.RecordError
		known  knownFailure
	)
	if !errors.As(err, &record) || errors.As(err, &known) {
		return err
	}
	if _, ferr := s.write.ExecContext(ctx, `INSERT OR IGNORE INTO failures (case_id, entry, how, detail, detected) VALUES (?, ?, ?, ?, ?)`,
		id, record.Entry, string(record.How), record.Detail, time.Now().UTC().Format(time.RFC3339)); ferr != nil {
		return errors.Join(err, fmt.Errorf("keeping the failure: %w", ferr))
	}
	return err
}

// Participant says whether actor has acted on the case.
func (s *Store) Participant(ctx context.Context, id, actor string) (bool, error) {
	var took bool
	err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM participants WHERE case_id = ? AND actor = ?)`, id, actor).Scan(&took)
	return took, err
}

// entries yields a case's entries in order, read from q.
func entries(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, id string) iter.Seq2[*engine.Entry, error] {
	return func(yield func(*engine.Entry, error) bool) {
		rows, err := q.QueryContext(ctx, `SELECT entry FROM history WHERE case_id = ? ORDER BY seq`, id)
		if err != nil {
			yield(nil, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var (
				b  []byte
				en = new(engine.Entry)
			)
			if err := rows.Scan(&b); err != nil {
				yield(nil, err)
				return
			}
			if err := json.Unmarshal(b, en); err != nil {
				yield(nil, fmt.Errorf("case %s: stored entry: %w", id, err))
				return
			}
			if !yield(en, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// Verify checks a stored case end to end, from one snapshot of the
// database: its record is intact and authenticated (with the host's key),
// replays to its head, and is not behind the audit log's checkpoint.
func (s *Store) Verify(ctx context.Context, id string) error {
	_, _, err := s.RecordPage(ctx, id, 0, 0)
	return err
}

// RecordPage verifies a case as Verify does, and returns its head and up to
// limit entries of its record, those after the entry numbered after.
func (s *Store) RecordPage(ctx context.Context, id string, after, limit int) (engine.Head, []*engine.Entry, error) {
	h, page, err := s.recordPage(ctx, id, after, limit)
	return h, page, s.failed(ctx, id, err)
}

func (s *Store) recordPage(ctx context.Context, id string, after, limit int) (engine.Head, []*engine.Entry, error) {
	cp, kept := s.checkpoints.Latest(id) // first, as in head
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return engine.Head{}, nil, err
	}
	defer tx.Rollback() // a read-only transaction has nothing to commit
	h, err := s.head(ctx, tx, id)
	if err != nil {
		return engine.Head{}, nil, err
	}
	var opts []engine.VerifyOption
	if kept {
		opts = append(opts, engine.WithCheckpoint(cp.Checkpoint))
	}
	var page []*engine.Entry
	record := func(yield func(*engine.Entry, error) bool) {
		for en, err := range entries(ctx, tx, id) {
			if err == nil && en.Seq > after && len(page) < limit {
				page = append(page, en)
			}
			if !yield(en, err) {
				return
			}
		}
	}
	if err := s.eng.Verify(ctx, h, record, opts...); err != nil {
		return engine.Head{}, nil, err
	}
	return h, page, nil
}

// IDs yields the id of every stored case and of every case a checkpoint is
// kept for, sorted, each once.
func (s *Store) IDs(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM cases`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := s.checkpoints.Cases()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// migrate brings heads stored by a schema 2 engine (the case without its
// history, which was already in its own table) to the engine's schema: each
// takes the time and hash of its record's last entry. The entries are the
// stored ones, unchanged; the heads are rewritten, as on every event.
func (s *Store) migrate(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT c.id, c.state, h.entry FROM cases c
			JOIN history h ON h.case_id = c.id AND h.seq = (SELECT max(seq) FROM history WHERE case_id = c.id)
			WHERE json_extract(c.state, '$.schema') = 2`)
		if err != nil {
			return err
		}
		type old struct{ id, state, last string }
		var olds []old
		for rows.Next() {
			var o old
			if err := rows.Scan(&o.id, &o.state, &o.last); err != nil {
				rows.Close()
				return err
			}
			olds = append(olds, o)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		for _, o := range olds {
			h, _, err := engine.MigrateCase([]byte(o.state))
			if err != nil {
				return fmt.Errorf("migrating case %s: %w", o.id, err)
			}
			var last engine.Entry
			if err := json.Unmarshal([]byte(o.last), &last); err != nil {
				return fmt.Errorf("migrating case %s: its last entry: %w", o.id, err)
			}
			h.Last, h.Hash = last.At, last.Hash
			state, err := json.Marshal(h)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET state = ? WHERE id = ?`, string(state), o.id); err != nil {
				return err
			}
		}
		return nil
	})
}

// Owed is one row of the obligations index.
type Owed struct {
	Case       string
	Policy     engine.PolicyRef
	Stage      string
	Obligation string
	Due        time.Time
}

// Overdue yields every obligation owed and past its deadline at time at,
// across all open cases, earliest deadline first. Stop early by breaking out
// of the loop.
func (s *Store) Overdue(ctx context.Context, at time.Time) iter.Seq2[Owed, error] {
	return func(yield func(Owed, error) bool) {
		// An obligation is overdue from its due instant on (engine.StatusOverdue).
		rows, err := s.read.QueryContext(ctx, overdueQuery, at.Unix())
		if err != nil {
			yield(Owed{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var (
				o   Owed
				due int64
			)
			if err := rows.Scan(&o.Case, &o.Policy.ID, &o.Policy.Version, &o.Stage, &o.Obligation, &due); err != nil {
				yield(Owed{}, err)
				return
			}
			o.Due = time.Unix(due, 0)
			if !yield(o, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Owed{}, err)
		}
	}
}
