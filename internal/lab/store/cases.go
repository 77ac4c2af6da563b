package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/spyscan/spyscan/internal/model"
)

// Case is a person or an investigation.
type Case struct {
	ID          int64
	Name        string
	Description string
	CreatedBy   int64
	CreatedAt   time.Time
}

// CaseSummary is a case with what the cases list shows.
type CaseSummary struct {
	Case
	// Verdict combines the case's alerts (retro-hunt ones included) with
	// its latest finished scan: "" when nothing was scanned yet.
	Verdict model.Verdict
	// LastScan is when the latest scan finished (zero: never).
	LastScan time.Time
	// New counts the retro-hunt matches nobody has marked seen.
	New int
	// Pending counts queued and running scans.
	Pending int
}

// CaseVerdict combines the worst level of a case's current alerts
// (-1: none) with the verdict of its latest finished scan, by the rules of
// selftest.Decide: traces found win, then an inconclusive scan, then
// heuristic signs.
func CaseVerdict(worst int, latest model.Verdict) model.Verdict {
	switch {
	case worst >= int(model.High):
		return model.VerdictDetected
	case latest == model.VerdictInconclusive:
		return latest
	case worst >= int(model.Low):
		return model.VerdictSuspicious
	}
	return latest
}

// CreateCase adds a case; its creator becomes a member.
func (s *Store) CreateCase(ctx context.Context, name, description string, by int64) (*Case, error) {
	now := ms(s.now())
	var id int64
	err := s.tx(ctx, func(t *sql.Tx) error {
		if err := t.QueryRowContext(ctx, `INSERT INTO cases (name, description, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			name, description, nullID(by), now).Scan(&id); err != nil {
			return err
		}
		_, err := t.ExecContext(ctx, `INSERT INTO case_members (case_id, user_id, added_at) VALUES ($1, $2, $3)`, id, by, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("case %q: %w", name, err)
	}
	return s.Case(ctx, id)
}

// Case returns one case.
func (s *Store) Case(ctx context.Context, id int64) (*Case, error) {
	var c Case
	var by sql.NullInt64
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT id, name, description, created_by, created_at FROM cases WHERE id = $1`, id).
		Scan(&c.ID, &c.Name, &c.Description, &by, &at)
	if err != nil {
		return nil, notFound(err, "case", id)
	}
	c.CreatedBy, c.CreatedAt = by.Int64, fromMS(at)
	return &c, nil
}

// CanSee reports whether u may see case id: admins see every case, the
// others the cases they are members of.
func (s *Store) CanSee(ctx context.Context, u *User, caseID int64) (bool, error) {
	if u.Role == Admin {
		var n int
		err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE id = $1`, caseID).Scan(&n)
		return n > 0, err
	}
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_members WHERE case_id = $1 AND user_id = $2`, caseID, u.ID).Scan(&n)
	return n > 0, err
}

// visibleCases is the SQL condition "case c is visible to user $1 (whose
// role is $2)".
const visibleCases = `($2 = 'admin' OR EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = c.id AND m.user_id = $1))`

// Cases lists the cases u may see, newest first, with their summaries.
func (s *Store) Cases(ctx context.Context, u *User) ([]CaseSummary, error) {
	return s.caseSummaries(ctx, ``, u.ID, string(u.Role))
}

// caseSummaries lists the summaries of the cases visible to user $1 of
// role $2 and matching and (an extra condition on c), newest first.
func (s *Store) caseSummaries(ctx context.Context, and string, args ...any) ([]CaseSummary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.name, c.description, c.created_by, c.created_at,
		(SELECT MAX(finished_at) FROM scans WHERE case_id = c.id AND state = 'done'),
		(SELECT verdict FROM scans WHERE case_id = c.id AND state = 'done' ORDER BY finished_at DESC, id DESC LIMIT 1),
		(SELECT MAX(level) FROM alerts WHERE case_id = c.id AND gone_run IS NULL),
		(SELECT COUNT(*) FROM alerts WHERE case_id = c.id AND is_new = 1),
		(SELECT COUNT(*) FROM scans WHERE case_id = c.id AND state IN ('queued', 'running'))
		FROM cases c WHERE `+visibleCases+and+` ORDER BY c.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseSummary
	for rows.Next() {
		var cs CaseSummary
		var by, last, worst sql.NullInt64
		var latest sql.NullString
		var at int64
		if err := rows.Scan(&cs.ID, &cs.Name, &cs.Description, &by, &at, &last, &latest, &worst, &cs.New, &cs.Pending); err != nil {
			return nil, err
		}
		cs.CreatedBy, cs.CreatedAt, cs.LastScan = by.Int64, fromMS(at), fromNullMS(last)
		w := -1
		if worst.Valid {
			w = int(worst.Int64)
		}
		cs.Verdict = CaseVerdict(w, model.Verdict(latest.String))
		out = append(out, cs)
	}
	return out, rows.Err()
}

// Summary returns the summary of one case.
func (s *Store) Summary(ctx context.Context, u *User, caseID int64) (*CaseSummary, error) {
	one, err := s.caseSummaries(ctx, ` AND c.id = $3`, u.ID, string(u.Role), caseID)
	if err != nil {
		return nil, err
	}
	if len(one) == 0 {
		return nil, fmt.Errorf("case %d: %w", caseID, ErrNotFound)
	}
	return &one[0], nil
}

// Member is a user of a case.
type Member struct {
	User    *User
	AddedAt time.Time
}

// Members lists the members of a case by name.
func (s *Store) Members(ctx context.Context, caseID int64) ([]Member, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.added_at, `+prefixed("u.", userCols)+` FROM case_members m
		JOIN users u ON u.id = m.user_id WHERE m.case_id = $1 ORDER BY u.name`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var at int64
		var u User
		var role string
		var must, dis int
		var created, pw int64
		if err := rows.Scan(&at, &u.ID, &u.Name, &u.PassHash, &role, &u.Lang, &must, &dis, &created, &pw); err != nil {
			return nil, err
		}
		u.Role, u.MustChange, u.Disabled, u.CreatedAt, u.PasswordAt = Role(role), must != 0, dis != 0, fromMS(created), fromMS(pw)
		out = append(out, Member{User: &u, AddedAt: fromMS(at)})
	}
	return out, rows.Err()
}

// AddMember makes a user a member of a case (no error if already one).
func (s *Store) AddMember(ctx context.Context, caseID, userID int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO case_members (case_id, user_id, added_at) VALUES ($1, $2, $3)
		ON CONFLICT (case_id, user_id) DO NOTHING`, caseID, userID, ms(s.now()))
	if err != nil {
		return fmt.Errorf("case %d member %d: %w", caseID, userID, err)
	}
	return nil
}

// RemoveMember removes a user from a case.
func (s *Store) RemoveMember(ctx context.Context, caseID, userID int64) error {
	return s.exec1(ctx, "case member", userID, `DELETE FROM case_members WHERE case_id = $1 AND user_id = $2`, caseID, userID)
}

// prefixed turns "a, b" into "p.a, p.b".
func prefixed(p, cols string) string {
	out := ""
	start := 0
	for i := 0; i <= len(cols); i++ {
		if i == len(cols) || cols[i] == ',' {
			name := cols[start:i]
			for len(name) > 0 && name[0] == ' ' {
				name = name[1:]
			}
			if out != "" {
				out += ", "
			}
			out += p + name
			start = i + 1
		}
	}
	return out
}
