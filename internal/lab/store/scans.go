package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/output"
)

// ScanState is where a scan is in the queue.
type ScanState string

// Scan states. A scan that was running when the server stopped is marked
// interrupted when it starts again; failed and interrupted scans can be
// queued again (Retry).
const (
	Queued      ScanState = "queued"
	Running     ScanState = "running"
	Done        ScanState = "done"
	Failed      ScanState = "failed"
	Interrupted ScanState = "interrupted"
)

// ErrState: the scan is not in a state that allows the change.
var ErrState = errors.New("not possible in the scan's state")

// Scan is one scan of some acquisitions of a case: a queued job, then
// its outcome and result folder.
type Scan struct {
	ID              int64
	CaseID          int64
	State           ScanState
	RequestedBy     int64
	QueuedAt        time.Time
	StartedAt       time.Time
	FinishedAt      time.Time
	Attempts        int
	Error           string
	ToolVersion     string
	IndicatorDigest string // the indicators the scan ran with
	IndicatorDate   string // the newest date among their sources
	// CheckedDigest is the indicator set its observables were last
	// checked against (by the scan, then by retro-hunt).
	CheckedDigest string
	Verdict       model.Verdict
	ResultDir     string
	ProgressDone  int
	ProgressTotal int
	Inputs        []int64 // acquisition ids, in order
}

const scanCols = `id, case_id, state, requested_by, queued_at, started_at, finished_at, attempts, error, tool_version,
	indicator_digest, indicator_date, checked_digest, verdict, result_dir, progress_done, progress_total`

func scanScan(row interface{ Scan(...any) error }) (*Scan, error) {
	var sc Scan
	var state, verdict string
	var by, started, finished sql.NullInt64
	var queued int64
	if err := row.Scan(&sc.ID, &sc.CaseID, &state, &by, &queued, &started, &finished, &sc.Attempts, &sc.Error, &sc.ToolVersion,
		&sc.IndicatorDigest, &sc.IndicatorDate, &sc.CheckedDigest, &verdict, &sc.ResultDir, &sc.ProgressDone, &sc.ProgressTotal); err != nil {
		return nil, err
	}
	sc.State, sc.Verdict, sc.RequestedBy = ScanState(state), model.Verdict(verdict), by.Int64
	sc.QueuedAt, sc.StartedAt, sc.FinishedAt = fromMS(queued), fromNullMS(started), fromNullMS(finished)
	return &sc, nil
}

// QueueScan queues a scan of acquisitions (all of caseID) unless the queue
// already holds max scans waiting (ErrQueueFull).
func (s *Store) QueueScan(ctx context.Context, caseID int64, acqs []int64, by int64, max int) (*Scan, error) {
	if len(acqs) == 0 {
		return nil, fmt.Errorf("scan of case %d: no acquisition chosen", caseID)
	}
	var id int64
	err := s.tx(ctx, func(t *sql.Tx) error {
		var waiting int
		if err := t.QueryRowContext(ctx, `SELECT COUNT(*) FROM scans WHERE state = 'queued'`).Scan(&waiting); err != nil {
			return err
		}
		if max > 0 && waiting >= max {
			return fmt.Errorf("%w: %d scans are waiting", ErrQueueFull, waiting)
		}
		for _, a := range acqs {
			var owner int64
			if err := t.QueryRowContext(ctx, `SELECT case_id FROM acquisitions WHERE id = $1`, a).Scan(&owner); err != nil || owner != caseID {
				return fmt.Errorf("acquisition %d of case %d: %w", a, caseID, ErrNotFound)
			}
		}
		if err := t.QueryRowContext(ctx, `INSERT INTO scans (case_id, state, requested_by, queued_at) VALUES ($1, 'queued', $2, $3) RETURNING id`,
			caseID, nullID(by), ms(s.now())).Scan(&id); err != nil {
			return err
		}
		for i, a := range acqs {
			if _, err := t.ExecContext(ctx, `INSERT INTO scan_inputs (scan_id, acquisition_id, position) VALUES ($1, $2, $3)`, id, a, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Scan(ctx, id)
}

// ErrQueueFull: the queue holds as many waiting scans as it may.
var ErrQueueFull = errors.New("the scan queue is full")

// Scan returns one scan with its inputs.
func (s *Store) Scan(ctx context.Context, id int64) (*Scan, error) {
	sc, err := scanScan(s.db.QueryRowContext(ctx, `SELECT `+scanCols+` FROM scans WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "scan", id)
	}
	sc.Inputs, err = s.scanInputs(ctx, id)
	return sc, err
}

func (s *Store) scanInputs(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT acquisition_id FROM scan_inputs WHERE scan_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var a int64
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Scans lists the scans of a case, newest first.
func (s *Store) Scans(ctx context.Context, caseID int64) ([]*Scan, error) {
	return s.scans(ctx, `WHERE case_id = $1`, `ORDER BY id DESC`, caseID)
}

// ScansIn lists the scans in the given states, oldest first.
func (s *Store) ScansIn(ctx context.Context, states ...ScanState) ([]*Scan, error) {
	var ph []string
	var args []any
	for i, st := range states {
		ph = append(ph, fmt.Sprintf("$%d", i+1))
		args = append(args, string(st))
	}
	return s.scans(ctx, `WHERE state IN (`+strings.Join(ph, ", ")+`)`, `ORDER BY id`, args...)
}

func (s *Store) scans(ctx context.Context, where, order string, args ...any) ([]*Scan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+scanCols+` FROM scans `+where+` `+order, args...)
	if err != nil {
		return nil, err
	}
	var out []*Scan
	byID := map[int64]*Scan{}
	for rows.Next() {
		sc, err := scanScan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, sc)
		byID[sc.ID] = sc
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// The inputs of every listed scan in one query (a case page lists
	// hundreds of scans).
	rows, err = s.db.QueryContext(ctx, `SELECT scan_id, acquisition_id FROM scan_inputs
		WHERE scan_id IN (SELECT id FROM scans `+where+`) ORDER BY scan_id, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, a int64
		if err := rows.Scan(&id, &a); err != nil {
			return nil, err
		}
		if sc := byID[id]; sc != nil {
			sc.Inputs = append(sc.Inputs, a)
		}
	}
	return out, rows.Err()
}

// ClaimNext marks the oldest queued scan running and returns it, or
// ErrNotFound when none waits. Two claimers never get the same scan.
func (s *Store) ClaimNext(ctx context.Context) (*Scan, error) {
	for {
		var id int64
		err := s.db.QueryRowContext(ctx, `SELECT id FROM scans WHERE state = 'queued' ORDER BY id LIMIT 1`).Scan(&id)
		if err != nil {
			return nil, notFound(err, "queued scan", "")
		}
		res, err := s.db.ExecContext(ctx, `UPDATE scans SET state = 'running', started_at = $1, finished_at = NULL, attempts = attempts + 1,
			error = '', progress_done = 0, progress_total = 0 WHERE id = $2 AND state = 'queued'`, ms(s.now()), id)
		if err != nil {
			return nil, fmt.Errorf("scan %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return s.Scan(ctx, id)
		}
		// another claimer took it: look again
	}
}

// SetProgress records how many of a running scan's modules are done.
func (s *Store) SetProgress(ctx context.Context, id int64, done, total int) error {
	_, err := s.db.ExecContext(ctx, `UPDATE scans SET progress_done = $1, progress_total = $2 WHERE id = $3 AND state = 'running'`, done, total, id)
	return err
}

// FailScan ends a running scan as failed (or interrupted) with a reason.
func (s *Store) FailScan(ctx context.Context, id int64, state ScanState, reason string) error {
	if state != Failed && state != Interrupted {
		return fmt.Errorf("scan %d: %q is not an end state of a failure", id, state)
	}
	return s.exec1(ctx, "running scan", id, `UPDATE scans SET state = $1, error = $2, finished_at = $3 WHERE id = $4 AND state = 'running'`,
		string(state), reason, ms(s.now()), id)
}

// InterruptRunning marks interrupted every scan still running: at start,
// the scans the previous server was running when it stopped. It returns
// their ids.
func (s *Store) InterruptRunning(ctx context.Context) ([]int64, error) {
	running, err := s.ScansIn(ctx, Running)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, sc := range running {
		if err := s.FailScan(ctx, sc.ID, Interrupted, "the server stopped while this scan ran"); err != nil {
			return nil, err
		}
		ids = append(ids, sc.ID)
	}
	return ids, nil
}

// Retry queues a failed or interrupted scan again.
func (s *Store) Retry(ctx context.Context, id int64) error {
	err := s.exec1(ctx, "failed or interrupted scan", id, `UPDATE scans SET state = 'queued', queued_at = $1, started_at = NULL,
		finished_at = NULL, progress_done = 0, progress_total = 0 WHERE id = $2 AND state IN ('failed', 'interrupted')`, ms(s.now()), id)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("scan %d: %w", id, ErrState)
	}
	return err
}

// Outcome is what a finished scan hands to the store.
type Outcome struct {
	ToolVersion     string
	IndicatorDigest string
	IndicatorDate   string
	Verdict         model.Verdict
	ResultDir       string
	Alerts          []model.Alert
	Observables     []output.ObservableRecord
}

// FinishScan stores a running scan's outcome, its alerts and
// observables, in one transaction: a scan is either done with all of
// them or still running.
func (s *Store) FinishScan(ctx context.Context, id int64, o Outcome) error {
	sc, err := s.Scan(ctx, id)
	if err != nil {
		return err
	}
	now := s.now()
	return s.tx(ctx, func(t *sql.Tx) error {
		res, err := t.ExecContext(ctx, `UPDATE scans SET state = 'done', finished_at = $1, tool_version = $2, indicator_digest = $3,
			indicator_date = $4, checked_digest = $3, verdict = $5, result_dir = $6, error = '', progress_done = progress_total
			WHERE id = $7 AND state = 'running'`,
			ms(now), o.ToolVersion, o.IndicatorDigest, o.IndicatorDate, string(o.Verdict), o.ResultDir, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("running scan %d: %w", id, ErrNotFound)
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM alerts WHERE scan_id = $1`, id); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM observables WHERE scan_id = $1`, id); err != nil {
			return err
		}
		rows := make([]NewAlert, len(o.Alerts))
		for i, a := range o.Alerts {
			rows[i] = NewAlert{ScanID: id, CaseID: sc.CaseID, Alert: a, Origin: FromScan}
		}
		if err := insertAlerts(ctx, t, s.engine, now, rows); err != nil {
			return err
		}
		return insertObservables(ctx, t, s.engine, id, o.Observables)
	})
}
