package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
)

const obsBatch = 500

// insertObservables stores a scan's observables (the values its modules
// checked) in batches of multi-row INSERTs. Value and artifact come from
// the evidence and are stored as bytes, exactly.
func insertObservables(ctx context.Context, t *sql.Tx, e Engine, scanID int64, obs []output.ObservableRecord) error {
	for start := 0; start < len(obs); start += obsBatch {
		part := obs[start:min(start+obsBatch, len(obs))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO observables (scan_id, type, value, module, input, artifact, what, first_seen, count) VALUES `)
		args := make([]any, 0, len(part)*9)
		for i, o := range part {
			what := ""
			if !o.WhatMsg.IsZero() {
				b, err := json.Marshal(o.WhatMsg)
				if err != nil {
					return fmt.Errorf("observable of scan %d: %w", scanID, err)
				}
				what = string(b)
			} else if o.What != "" {
				b, _ := json.Marshal(i18n.M("literal", "text", o.What))
				what = string(b)
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			rowParams(&sb, e, len(args), 9)
			args = append(args, scanID, text(string(o.Type)), []byte(o.Value), text(o.Module), text(o.Input), []byte(o.Artifact),
				what, nullMS(o.FirstSeen), o.Count)
		}
		if _, err := t.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("observables of scan %d: %w", scanID, err)
		}
	}
	return nil
}

// Value is one distinct stored observable value.
type Value struct {
	Type  match.Type
	Value string
}

// EachValue calls fn with every distinct (type, value) stored, in the
// scans given (every scan when scans is empty). It reads from one open
// statement: fn must not write to the store.
func (s *Store) EachValue(ctx context.Context, scans []int64, fn func(Value) error) error {
	q := `SELECT type, value FROM observables GROUP BY type, value`
	var args []any
	if len(scans) > 0 {
		q = `SELECT type, value FROM observables WHERE scan_id IN (` + placeholders(1, len(scans)) + `) GROUP BY type, value`
		for _, id := range scans {
			args = append(args, id)
		}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("observables: %w", err)
	}
	defer rows.Close()
	var typ string
	var val []byte
	for rows.Next() {
		if err := rows.Scan(&typ, &val); err != nil {
			return fmt.Errorf("observables: %w", err)
		}
		if err := fn(Value{Type: match.Type(typ), Value: string(val)}); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Sighting is one stored observable: a value, where one scan saw it.
type Sighting struct {
	ScanID, CaseID int64
	output.ObservableRecord
}

// Sightings returns where a value was seen, in the scans given (every
// scan when scans is empty), by scan.
func (s *Store) Sightings(ctx context.Context, v Value, scans []int64) ([]Sighting, error) {
	q := `SELECT o.scan_id, s.case_id, o.module, o.input, o.artifact, o.what, o.first_seen, o.count
		FROM observables o JOIN scans s ON s.id = o.scan_id WHERE o.type = $1 AND o.value = $2`
	args := []any{string(v.Type), []byte(v.Value)}
	if len(scans) > 0 {
		q += ` AND o.scan_id IN (` + placeholders(3, len(scans)) + `)`
		for _, id := range scans {
			args = append(args, id)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY o.scan_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("observables: %w", err)
	}
	defer rows.Close()
	var out []Sighting
	for rows.Next() {
		var sg Sighting
		var artifact []byte
		var what string
		var first sql.NullInt64
		if err := rows.Scan(&sg.ScanID, &sg.CaseID, &sg.Module, &sg.Input, &artifact, &what, &first, &sg.Count); err != nil {
			return nil, fmt.Errorf("observables: %w", err)
		}
		sg.Observable = module.Observable{Type: v.Type, Value: v.Value, Artifact: string(artifact), FirstSeen: fromNullMS(first), Count: sg.Count}
		if what != "" {
			if err := json.Unmarshal([]byte(what), &sg.WhatMsg); err != nil {
				return nil, fmt.Errorf("observable of scan %d: %w", sg.ScanID, err)
			}
			sg.What = i18n.English(sg.WhatMsg)
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// ObservableCounts counts the stored observables of the given scans
// (every scan when scans is empty), and the scans holding some.
func (s *Store) ObservableCounts(ctx context.Context, scans []int64) (rows, withObs int64, err error) {
	q := `SELECT COUNT(*), COUNT(DISTINCT scan_id) FROM observables`
	var args []any
	if len(scans) > 0 {
		q += ` WHERE scan_id IN (` + placeholders(1, len(scans)) + `)`
		for _, id := range scans {
			args = append(args, id)
		}
	}
	err = s.db.QueryRowContext(ctx, q, args...).Scan(&rows, &withObs)
	return rows, withObs, err
}

// SetChecked records the indicator digest the scans' observables were
// last checked against.
func (s *Store) SetChecked(ctx context.Context, digest string, scans []int64) error {
	if len(scans) == 0 {
		_, err := s.db.ExecContext(ctx, `UPDATE scans SET checked_digest = $1 WHERE state = 'done'`, digest)
		return err
	}
	return s.tx(ctx, func(t *sql.Tx) error {
		for _, id := range scans {
			if _, err := t.ExecContext(ctx, `UPDATE scans SET checked_digest = $1 WHERE id = $2`, digest, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// rowParams writes the parameters of one row of a multi-row INSERT,
// "(p, p, ...)" with cols of them, after the first args already bound. On
// SQLite they are anonymous ("?", numbered by position): SQLite looks each
// named one ("$1") up in a list of the statement's names, which made a
// batch of 4,500 parameters cost tens of millions of string comparisons
// (78% of the CPU of storing a scan's results). PostgreSQL needs "$N".
func rowParams(sb *strings.Builder, e Engine, first, cols int) {
	sb.WriteByte('(')
	for i := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		if e == SQLite {
			sb.WriteByte('?')
		} else {
			fmt.Fprintf(sb, "$%d", first+i+1)
		}
	}
	sb.WriteByte(')')
}

// placeholders returns "$from, $from+1, ..." (n of them).
func placeholders(from, n int) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "$%d", from+i)
	}
	return sb.String()
}

// Setting returns a stored setting ("" when unset).
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v, err
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, name, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return err
}
