package store

import (
	"context"
	"database/sql"
	"time"
)

// RetroRun is one retro-hunt: the stored observables re-checked against
// an indicator set.
type RetroRun struct {
	ID          int64
	Digest      string // the indicator set checked against
	Reason      string // what started it ("indicators changed", "iocs update", a file added...)
	State       string // running, done, failed
	RequestedBy int64
	StartedAt   time.Time
	FinishedAt  time.Time
	Scans       int   // scans whose observables were checked
	Values      int64 // distinct values checked
	Observables int64 // stored observables (value and place) these stand for
	NewMatches  int
	Gone        int // stored indicator alerts no longer matching
	Took        time.Duration
	Error       string
}

// StartRetro records the start of a retro-hunt run.
func (s *Store) StartRetro(ctx context.Context, digest, reason string, by int64) (*RetroRun, error) {
	r := &RetroRun{Digest: digest, Reason: reason, State: "running", RequestedBy: by, StartedAt: s.now()}
	err := s.db.QueryRowContext(ctx, `INSERT INTO retro_runs (digest, reason, state, requested_by, started_at) VALUES ($1, $2, 'running', $3, $4) RETURNING id`,
		digest, reason, nullID(by), ms(r.StartedAt)).Scan(&r.ID)
	return r, err
}

// EndRetro stores a run's outcome.
func (s *Store) EndRetro(ctx context.Context, r *RetroRun) error {
	r.FinishedAt = s.now()
	_, err := s.db.ExecContext(ctx, `UPDATE retro_runs SET state = $1, finished_at = $2, scans = $3, distinct_values = $4, observables = $5,
		new_matches = $6, gone = $7, millis = $8, error = $9 WHERE id = $10`,
		r.State, ms(r.FinishedAt), r.Scans, r.Values, r.Observables, r.NewMatches, r.Gone, r.Took.Milliseconds(), text(r.Error), r.ID)
	return err
}

// RetroRuns lists the latest runs, newest first.
func (s *Store) RetroRuns(ctx context.Context, limit int) ([]RetroRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, digest, reason, state, requested_by, started_at, finished_at, scans, distinct_values,
		observables, new_matches, gone, millis, error FROM retro_runs ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RetroRun
	for rows.Next() {
		var r RetroRun
		var by, fin sql.NullInt64
		var start, took int64
		if err := rows.Scan(&r.ID, &r.Digest, &r.Reason, &r.State, &by, &start, &fin, &r.Scans, &r.Values, &r.Observables,
			&r.NewMatches, &r.Gone, &took, &r.Error); err != nil {
			return nil, err
		}
		r.RequestedBy, r.StartedAt, r.FinishedAt, r.Took = by.Int64, fromMS(start), fromNullMS(fin), time.Duration(took)*time.Millisecond
		out = append(out, r)
	}
	return out, rows.Err()
}

// InterruptRetro marks failed the runs left running by a stopped server.
func (s *Store) InterruptRetro(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `UPDATE retro_runs SET state = 'failed', error = 'the server stopped during the run', finished_at = $1
		WHERE state = 'running'`, ms(s.now()))
	return err
}
