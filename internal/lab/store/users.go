package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"
)

// Role is what a user may do. Admins manage users and see every case;
// analysts create cases and work in the cases they belong to; viewers
// read the cases they belong to.
type Role string

// Roles.
const (
	Admin   Role = "admin"
	Analyst Role = "analyst"
	Viewer  Role = "viewer"
)

// Roles lists the roles, most powerful first.
func Roles() []Role { return []Role{Admin, Analyst, Viewer} }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r == Admin || r == Analyst || r == Viewer }

// User is a local account.
type User struct {
	ID         int64
	Name       string
	PassHash   string
	Role       Role
	Lang       string // preferred interface language ("" = from the browser)
	MustChange bool   // the password is a one-time password
	Disabled   bool
	CreatedAt  time.Time
	PasswordAt time.Time
}

const userCols = `id, name, pass_hash, role, lang, must_change, disabled, created_at, password_at`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var role string
	var must, dis int
	var created, pw int64
	if err := row.Scan(&u.ID, &u.Name, &u.PassHash, &role, &u.Lang, &must, &dis, &created, &pw); err != nil {
		return nil, err
	}
	u.Role, u.MustChange, u.Disabled = Role(role), must != 0, dis != 0
	u.CreatedAt, u.PasswordAt = fromMS(created), fromMS(pw)
	return &u, nil
}

// CreateUser adds an account; the name must be free (ErrConflict).
func (s *Store) CreateUser(ctx context.Context, name, passHash string, role Role, mustChange bool) (*User, error) {
	if !role.Valid() {
		return nil, fmt.Errorf("role %q: not one of admin, analyst, viewer", role)
	}
	now := ms(s.now())
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO users (name, pass_hash, role, must_change, created_at, password_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, name, passHash, string(role), b2i(mustChange), now).Scan(&id)
	if isUnique(err) {
		return nil, fmt.Errorf("user %q: %w", name, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", name, err)
	}
	return s.User(ctx, id)
}

// User returns one account.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	return u, notFound(err, "user", id)
}

// UserByName returns the account with that name.
func (s *Store) UserByName(ctx context.Context, name string) (*User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE name = $1`, name))
	return u, notFound(err, "user", name)
}

// Users lists every account by name.
func (s *Store) Users(ctx context.Context) ([]*User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountAdmins counts enabled admins.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0`).Scan(&n)
	return n, err
}

// SetPassword replaces a password hash and ends the user's other sessions
// (every session but keep, which may be "").
func (s *Store) SetPassword(ctx context.Context, id int64, passHash string, mustChange bool, keepToken string) error {
	return s.tx(ctx, func(t *sql.Tx) error {
		res, err := t.ExecContext(ctx, `UPDATE users SET pass_hash = $1, must_change = $2, password_at = $3 WHERE id = $4`,
			passHash, b2i(mustChange), ms(s.now()), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %d: %w", id, ErrNotFound)
		}
		_, err = t.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, id, tokenHash(keepToken))
		return err
	})
}

// SetRole changes a user's role.
func (s *Store) SetRole(ctx context.Context, id int64, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("role %q: not one of admin, analyst, viewer", role)
	}
	return s.exec1(ctx, "user", id, `UPDATE users SET role = $1 WHERE id = $2`, string(role), id)
}

// SetDisabled enables or disables an account; disabling ends its sessions.
func (s *Store) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.tx(ctx, func(t *sql.Tx) error {
		if _, err := t.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, b2i(disabled), id); err != nil {
			return err
		}
		if !disabled {
			return nil
		}
		_, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
}

// SetLang stores the user's interface language.
func (s *Store) SetLang(ctx context.Context, id int64, lang string) error {
	return s.exec1(ctx, "user", id, `UPDATE users SET lang = $1 WHERE id = $2`, lang, id)
}

// Session is a logged-in browser. The cookie holds the token; the store
// keeps only its SHA-256, so a copy of the database opens no session.
type Session struct {
	UserID    int64
	CSRF      string // the token every state-changing form carries
	Remote    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateSession stores a new session for the token.
func (s *Store) CreateSession(ctx context.Context, token string, sess Session) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, remote, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, tokenHash(token), sess.UserID, sess.CSRF, sess.Remote, ms(sess.CreatedAt), ms(sess.ExpiresAt))
	return err
}

// SessionUser returns the session of token and its user, if the session
// has not expired and the user is enabled.
func (s *Store) SessionUser(ctx context.Context, token string) (*Session, *User, error) {
	var sess Session
	var created, expires int64
	err := s.db.QueryRowContext(ctx, `SELECT user_id, csrf, remote, created_at, expires_at FROM sessions WHERE token_hash = $1`,
		tokenHash(token)).Scan(&sess.UserID, &sess.CSRF, &sess.Remote, &created, &expires)
	if err != nil {
		return nil, nil, notFound(err, "session", "")
	}
	sess.CreatedAt, sess.ExpiresAt = fromMS(created), fromMS(expires)
	if !s.now().Before(sess.ExpiresAt) {
		s.DeleteSession(ctx, token)
		return nil, nil, fmt.Errorf("session expired: %w", ErrNotFound)
	}
	u, err := s.User(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, fmt.Errorf("user %s is disabled: %w", u.Name, ErrNotFound)
	}
	return &sess, u, nil
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token))
	return err
}

// DeleteExpiredSessions removes the sessions past their end.
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, ms(s.now()))
	return err
}

// exec1 runs a statement that must change one row.
func (s *Store) exec1(ctx context.Context, what string, id any, q string, args ...any) error {
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s %v: %w", what, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s %v: %w", what, id, ErrNotFound)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
