package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"runtime"
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
// A case's state and its history are kept apart: cases holds the latest
// state (the case's JSON without its history) and is overwritten on each
// event, guarded by its revision; history holds one row per act and is only
// ever appended to, which the triggers enforce against any later code or
// hand-written SQL. obligations is the index the nightly sweep reads: one row
// per obligation still owed with a deadline, keyed by its due instant so the
// sweep is a range scan of the primary key.
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
	insertCase, updateCase, insertEntry, deleteOwed, insertOwed *sql.Stmt
}

// OpenStore opens (creating if need be) the database at path.
func OpenStore(ctx context.Context, path string, eng *engine.Engine) (*Store, error) {
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
	if _, err := write.ExecContext(ctx, schema); err != nil {
		write.Close()
		return nil, fmt.Errorf("creating the schema in %s: %w", path, err)
	}
	params = url.Values{"_pragma": {"busy_timeout(5000)", "query_only(1)"}}
	if s.read, err = sql.Open("sqlite", path+"?"+params.Encode()); err != nil {
		write.Close()
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
		{&s.insertEntry, `INSERT INTO history (case_id, seq, entry, hash) VALUES (?, ?, ?, ?)`},
		{&s.deleteOwed, `DELETE FROM obligations WHERE case_id = ?`},
		{&s.insertOwed, `INSERT INTO obligations (due, case_id, stage, obligation, policy, version)
			VALUES (?, ?, ?, ?, ?, ?)`},
	} {
		if *p.stmt, err = write.PrepareContext(ctx, p.query); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the database. Closing the pools closes their statements.
func (s *Store) Close() error {
	return errors.Join(s.write.Close(), s.read.Close())
}

// Create stores newly raised cases, all in one transaction: one for the API,
// thousands for an import. It fails with errCaseExists if an id is taken.
func (s *Store) Create(ctx context.Context, cases ...engine.Case) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		insert := tx.StmtContext(ctx, s.insertCase)
		for _, c := range cases {
			state, err := stateJSON(c)
			if err != nil {
				return err
			}
			res, err := insert.ExecContext(ctx, c.ID, c.Policy.ID, c.Policy.Version, c.Revision, c.Stage, c.Outcome, c.Closed(), state)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return fmt.Errorf("%w: %s", errCaseExists, c.ID)
			}
			if err := s.appendAndIndex(ctx, tx, c, 0); err != nil {
				return err
			}
		}
		return nil
	})
}

// Update replaces the case as it was read (from) with the case the engine
// returned (to), appending the new history entries. If the stored revision is
// no longer from's, another write won the race: nothing is written and the
// error is errConflict, so no act is ever silently lost.
func (s *Store) Update(ctx context.Context, from, to engine.Case) error {
	state, err := stateJSON(to)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, s.updateCase).ExecContext(ctx,
			to.Revision, to.Stage, to.Outcome, to.Closed(), state, to.ID, from.Revision)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("%w: case %s is no longer at revision %d; read it again", errConflict, to.ID, from.Revision)
		}
		return s.appendAndIndex(ctx, tx, to, len(from.History))
	})
}

// appendAndIndex appends c's history entries from index `stored` on, and
// rewrites the case's rows in the obligations index.
func (s *Store) appendAndIndex(ctx context.Context, tx *sql.Tx, c engine.Case, stored int) error {
	insert := tx.StmtContext(ctx, s.insertEntry)
	for _, en := range c.History[stored:] {
		b, err := json.Marshal(en)
		if err != nil {
			return err
		}
		if _, err := insert.ExecContext(ctx, c.ID, en.Seq, string(b), en.Hash.String()); err != nil {
			return err
		}
	}
	if _, err := tx.StmtContext(ctx, s.deleteOwed).ExecContext(ctx, c.ID); err != nil {
		return err
	}
	// The time passed to Due only sets each duty's status, which is not used:
	// the index holds every obligation still owed, whether late yet or not.
	duties, err := s.eng.Due(c, c.Entered)
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
		if _, err := insert.ExecContext(ctx, d.Due.Unix(), c.ID, c.Stage, d.Obligation.ID, c.Policy.ID, c.Policy.Version); err != nil {
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

// stateJSON is the case without its history, which lives in its own table,
// as a string: the STRICT table takes text, not a BLOB.
func stateJSON(c engine.Case) (string, error) {
	c.History = nil
	b, err := json.Marshal(c)
	return string(b), err
}

// Get reads a case and its whole history, from one snapshot of the database.
func (s *Store) Get(ctx context.Context, id string) (engine.Case, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return engine.Case{}, err
	}
	defer tx.Rollback() // a read-only transaction has nothing to commit

	var (
		c     engine.Case
		state []byte
	)
	err = tx.QueryRowContext(ctx, `SELECT state FROM cases WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return engine.Case{}, fmt.Errorf("%w: %q", errCaseNotFound, id)
	}
	if err != nil {
		return engine.Case{}, err
	}
	if err := json.Unmarshal(state, &c); err != nil {
		return engine.Case{}, fmt.Errorf("case %s: stored state: %w", id, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT entry FROM history WHERE case_id = ? ORDER BY seq`, id)
	if err != nil {
		return engine.Case{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			b  []byte
			en = new(engine.Entry)
		)
		if err := rows.Scan(&b); err != nil {
			return engine.Case{}, err
		}
		if err := json.Unmarshal(b, en); err != nil {
			return engine.Case{}, fmt.Errorf("case %s: stored history: %w", id, err)
		}
		c.History = append(c.History, en)
	}
	return c, rows.Err()
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
