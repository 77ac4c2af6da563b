package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/recheck"
)

// AlertOrigin says what raised a stored alert.
type AlertOrigin string

// Alert origins.
const (
	FromScan  AlertOrigin = "scan"  // the scan itself
	FromRetro AlertOrigin = "retro" // a retro-hunt run, on the scan's stored observables
)

// NewAlert is an alert to store.
type NewAlert struct {
	ScanID, CaseID int64
	Alert          model.Alert
	Origin         AlertOrigin
	RetroRun       int64 // the retro-hunt run that found it (FromRetro)
	New            bool  // shown as NEW until someone marks it seen
}

// StoredAlert is an alert of a scan as the store keeps it.
type StoredAlert struct {
	ID, ScanID, CaseID int64
	Key                string // AlertKey
	Alert              model.Alert
	Origin             AlertOrigin
	RetroRun           int64
	New                bool
	SeenBy             int64
	SeenAt             time.Time
	GoneRun            int64 // the retro-hunt run after which its indicator no longer matched (0: still matches)
	FoundAt            time.Time
}

// AlertKey identifies an alert within a scan across rescans and retro-hunt
// runs: for an indicator hit, recheck.Key (value, place and indicator);
// for a heuristic, its place, text and time.
func AlertKey(a model.Alert) string {
	var k string
	if a.Match != nil {
		k = "m\x00" + recheck.Key(a)
	} else {
		k = fmt.Sprintf("h\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s", a.Input, a.Module, a.Artifact, a.Message, a.Time.UTC().Format(time.RFC3339Nano), a.Record)
	}
	h := sha256.Sum256([]byte(k))
	return hex.EncodeToString(h[:])
}

// text makes a string from evidence storable in a TEXT column of either
// engine: PostgreSQL refuses NUL and invalid UTF-8 in text. The exact
// value stays in the alert's JSON.
func text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

const alertInsertCols = 13

// insertAlerts stores alerts in batches of multi-row INSERTs.
func insertAlerts(ctx context.Context, t *sql.Tx, e Engine, now time.Time, rows []NewAlert) error {
	const batch = 200
	for start := 0; start < len(rows); start += batch {
		part := rows[start:min(start+batch, len(rows))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO alerts (scan_id, case_id, alert_key, level, module, message, match_type, indicator, families,
			origin, retro_run, is_new, found_at, data) VALUES `)
		args := make([]any, 0, len(part)*(alertInsertCols+1))
		for i, r := range part {
			data, err := json.Marshal(r.Alert)
			if err != nil {
				return fmt.Errorf("alert of scan %d: %w", r.ScanID, err)
			}
			var mtype, ind, fams string
			if m := r.Alert.Match; m != nil {
				mtype, ind, fams = m.Type, m.Indicator, strings.Join(m.Families(), ", ")
			}
			var run sql.NullInt64
			if r.RetroRun != 0 {
				run = sql.NullInt64{Int64: r.RetroRun, Valid: true}
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			rowParams(&sb, e, len(args), alertInsertCols+1)
			args = append(args, r.ScanID, r.CaseID, AlertKey(r.Alert), int(r.Alert.Level), text(r.Alert.Module), text(r.Alert.Message),
				text(mtype), text(ind), text(fams), string(r.Origin), run, b2i(r.New), ms(now), string(data))
		}
		if _, err := t.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("alerts: %w", err)
		}
	}
	return nil
}

// AddAlerts stores alerts outside a scan's end (retro-hunt).
func (s *Store) AddAlerts(ctx context.Context, rows []NewAlert) error {
	if len(rows) == 0 {
		return nil
	}
	return s.tx(ctx, func(t *sql.Tx) error { return insertAlerts(ctx, t, s.engine, s.now(), rows) })
}

const alertCols = `id, scan_id, case_id, alert_key, origin, retro_run, is_new, seen_by, seen_at, gone_run, found_at, data`

func scanAlert(row interface{ Scan(...any) error }) (*StoredAlert, error) {
	var a StoredAlert
	var origin, data string
	var run, seenBy, seenAt, gone sql.NullInt64
	var isNew int
	var found int64
	if err := row.Scan(&a.ID, &a.ScanID, &a.CaseID, &a.Key, &origin, &run, &isNew, &seenBy, &seenAt, &gone, &found, &data); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(data), &a.Alert); err != nil {
		return nil, fmt.Errorf("alert %d: %w", a.ID, err)
	}
	a.Origin, a.RetroRun, a.New, a.SeenBy, a.SeenAt = AlertOrigin(origin), run.Int64, isNew != 0, seenBy.Int64, fromNullMS(seenAt)
	a.GoneRun, a.FoundAt = gone.Int64, fromMS(found)
	return &a, nil
}

func (s *Store) alerts(ctx context.Context, where string, args ...any) ([]*StoredAlert, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+alertCols+` FROM alerts `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*StoredAlert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ScanAlerts lists a scan's alerts, most severe first.
func (s *Store) ScanAlerts(ctx context.Context, scanID int64) ([]*StoredAlert, error) {
	return s.alerts(ctx, `WHERE scan_id = $1 ORDER BY level DESC, id`, scanID)
}

// KeyedAlert is one alert of a key (AlertKey) among several stored
// alerts, with every scan that raised that key.
type KeyedAlert struct {
	*StoredAlert // the first of the key in the listing's order, or the last one still NEW
	Scans        []int64
}

// ShownAlertIDs lists, in order, the IDs of a scan's stored alerts that
// its report shows (those not withdrawn by a retro-hunt run): what a
// cached report is keyed by.
func (s *Store) ShownAlertIDs(ctx context.Context, scanID int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM alerts WHERE scan_id = $1 AND gone_run IS NULL ORDER BY id`, scanID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// CaseFindings lists a case's alerts once per key (the same alert found
// again by a later scan of the same input is one finding), most severe
// first.
func (s *Store) CaseFindings(ctx context.Context, caseID int64) ([]KeyedAlert, error) {
	return s.keyedAlerts(ctx, `WHERE case_id = $1 ORDER BY level DESC, id`, caseID)
}

// NewFindings lists once per key the retro-hunt matches not yet marked
// seen in the cases u may see, newest first.
func (s *Store) NewFindings(ctx context.Context, u *User) ([]KeyedAlert, error) {
	return s.keyedAlerts(ctx, `WHERE is_new = 1 AND case_id IN (SELECT c.id FROM cases c WHERE `+visibleCases+`) ORDER BY id DESC`,
		u.ID, string(u.Role))
}

// keyedAlerts picks one alert per key from the listing's keys and marks
// (no JSON decoded), then reads only the alerts picked: a case rescanned
// a hundred times holds each finding a hundred times.
func (s *Store) keyedAlerts(ctx context.Context, where string, args ...any) ([]KeyedAlert, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, scan_id, alert_key, is_new FROM alerts `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []KeyedAlert
	pick := []int64{}
	byKey := map[string]int{}
	for rows.Next() {
		var id, scan int64
		var key string
		var isNew int
		if err := rows.Scan(&id, &scan, &key, &isNew); err != nil {
			rows.Close()
			return nil, err
		}
		i, ok := byKey[key]
		if !ok {
			i = len(out)
			byKey[key] = i
			out = append(out, KeyedAlert{})
			pick = append(pick, id)
		} else if isNew != 0 {
			pick[i] = id
		}
		out[i].Scans = append(out[i].Scans, scan)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	full := make(map[int64]*StoredAlert, len(pick))
	const batch = 500
	for start := 0; start < len(pick); start += batch {
		part := pick[start:min(start+batch, len(pick))]
		ph := make([]string, len(part))
		ids := make([]any, len(part))
		for i, id := range part {
			ph[i], ids[i] = fmt.Sprintf("$%d", i+1), id
		}
		as, err := s.alerts(ctx, `WHERE id IN (`+strings.Join(ph, ", ")+`)`, ids...)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			full[a.ID] = a
		}
	}
	for i, id := range pick {
		if out[i].StoredAlert = full[id]; out[i].StoredAlert == nil {
			return nil, fmt.Errorf("alert %d: %w", id, ErrNotFound)
		}
	}
	return out, nil
}

// NewMatches lists the retro-hunt matches not yet marked seen, in the
// cases u may see, newest first.
func (s *Store) NewMatches(ctx context.Context, u *User) ([]*StoredAlert, error) {
	return s.alerts(ctx, `WHERE is_new = 1 AND case_id IN (SELECT c.id FROM cases c WHERE `+visibleCases+`) ORDER BY id DESC`,
		u.ID, string(u.Role))
}

// CountNew counts the retro-hunt matches not yet marked seen in the cases
// u may see.
func (s *Store) CountNew(ctx context.Context, u *User) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE is_new = 1 AND case_id IN (SELECT c.id FROM cases c WHERE `+
		visibleCases+`)`, u.ID, string(u.Role)).Scan(&n)
	return n, err
}

// MarkSeen clears the NEW mark of a case's retro-hunt matches.
func (s *Store) MarkSeen(ctx context.Context, caseID, by int64) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE alerts SET is_new = 0, seen_by = $1, seen_at = $2 WHERE case_id = $3 AND is_new = 1`,
		by, ms(s.now()), caseID)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// AlertRef is a stored indicator alert as retro-hunt compares it.
type AlertRef struct {
	ID, ScanID int64
	Key        string
	Gone       bool
}

// IndicatorAlerts lists every stored indicator alert.
func (s *Store) IndicatorAlerts(ctx context.Context) ([]AlertRef, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, scan_id, alert_key, gone_run FROM alerts WHERE match_type <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AlertRef
	for rows.Next() {
		var r AlertRef
		var gone sql.NullInt64
		if err := rows.Scan(&r.ID, &r.ScanID, &r.Key, &gone); err != nil {
			return nil, err
		}
		r.Gone = gone.Valid
		out = append(out, r)
	}
	return out, rows.Err()
}

// MarkGone records that retro-hunt run no longer matches these alerts
// (their indicator was withdrawn), and clears the mark of those matching
// again.
func (s *Store) MarkGone(ctx context.Context, run int64, gone, back []int64) error {
	return s.tx(ctx, func(t *sql.Tx) error {
		for _, id := range gone {
			if _, err := t.ExecContext(ctx, `UPDATE alerts SET gone_run = $1 WHERE id = $2 AND gone_run IS NULL`, run, id); err != nil {
				return err
			}
		}
		for _, id := range back {
			if _, err := t.ExecContext(ctx, `UPDATE alerts SET gone_run = NULL WHERE id = $1`, id); err != nil {
				return err
			}
		}
		return nil
	})
}
