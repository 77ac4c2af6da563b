package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// AuditEntry is one line of the audit log: who did what, when, from where.
// The log is append-only (the database refuses UPDATE and DELETE on it)
// and hash-chained: each entry's Hash covers its fields and the previous
// entry's hash, so VerifyAudit detects an entry changed or removed by
// someone going around the database's refusal.
type AuditEntry struct {
	ID       int64
	At       time.Time
	UserID   int64  // 0: no user (a failed login, the server itself)
	UserName string // as typed for a failed login
	Remote   string // the client's address
	Action   string // e.g. "login", "case.create", "scan.queue"
	CaseID   int64  // 0: not about one case
	Target   string // what the action was about (a name, an id)
	Detail   string
	PrevHash string
	Hash     string
}

func (e *AuditEntry) digest() string {
	h := sha256.New()
	for _, f := range []string{e.PrevHash, strconv.FormatInt(e.ID, 10), strconv.FormatInt(e.At.UnixMilli(), 10),
		strconv.FormatInt(e.UserID, 10), e.UserName, e.Remote, e.Action, strconv.FormatInt(e.CaseID, 10), e.Target, e.Detail} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Audit appends an entry. Its ID, time and hashes are filled in.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	e.At = s.now().UTC().Truncate(time.Millisecond)
	e.UserName, e.Remote, e.Target, e.Detail = text(e.UserName), text(e.Remote), text(e.Target), text(e.Detail)
	err := s.tx(ctx, func(t *sql.Tx) error {
		// The UPDATE takes the head's row lock (PostgreSQL) inside the
		// write lock (SQLite): entries are chained one at a time.
		if _, err := t.ExecContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1`); err != nil {
			return err
		}
		if err := t.QueryRowContext(ctx, `SELECT seq, last_hash FROM audit_head WHERE id = 1`).Scan(&e.ID, &e.PrevHash); err != nil {
			return err
		}
		e.Hash = e.digest()
		if _, err := t.ExecContext(ctx, `INSERT INTO audit (id, at, user_id, user_name, remote, action, case_id, target, detail, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			e.ID, ms(e.At), nullID(e.UserID), e.UserName, e.Remote, e.Action, nullID(e.CaseID), e.Target, e.Detail, e.PrevHash, e.Hash); err != nil {
			return err
		}
		_, err := t.ExecContext(ctx, `UPDATE audit_head SET last_hash = $1 WHERE id = 1`, e.Hash)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// AuditFilter selects audit entries.
type AuditFilter struct {
	CaseID int64 // 0: every case
	Before int64 // entries with a smaller id (paging); 0: the newest
	Limit  int
}

// AuditLog returns entries, newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	q := `SELECT id, at, user_id, user_name, remote, action, case_id, target, detail, prev_hash, hash FROM audit WHERE 1 = 1`
	var args []any
	if f.CaseID != 0 {
		args = append(args, f.CaseID)
		q += fmt.Sprintf(" AND case_id = $%d", len(args))
	}
	if f.Before != 0 {
		args = append(args, f.Before)
		q += fmt.Sprintf(" AND id < $%d", len(args))
	}
	args = append(args, f.Limit)
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	return s.auditRows(ctx, q, args...)
}

func (s *Store) auditRows(ctx context.Context, q string, args ...any) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		var uid, cid sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &uid, &e.UserName, &e.Remote, &e.Action, &cid, &e.Target, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At, e.UserID, e.CaseID = fromMS(at), uid.Int64, cid.Int64
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit walks the whole chain and returns the number of entries, or
// an error naming the first entry that does not hold.
func (s *Store) VerifyAudit(ctx context.Context) (int, error) {
	entries, err := s.auditRows(ctx, `SELECT id, at, user_id, user_name, remote, action, case_id, target, detail, prev_hash, hash
		FROM audit ORDER BY id`)
	if err != nil {
		return 0, err
	}
	prev := ""
	for i, e := range entries {
		if e.ID != int64(i+1) {
			return i, fmt.Errorf("audit log: entry %d is missing", i+1)
		}
		if e.PrevHash != prev || e.digest() != e.Hash {
			return i, fmt.Errorf("audit log: entry %d was changed", e.ID)
		}
		prev = e.Hash
	}
	var head string
	if err := s.db.QueryRowContext(ctx, `SELECT last_hash FROM audit_head WHERE id = 1`).Scan(&head); err != nil {
		return len(entries), err
	}
	if head != prev {
		return len(entries), fmt.Errorf("audit log: the newest entries were removed")
	}
	return len(entries), nil
}
