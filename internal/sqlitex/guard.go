package sqlitex

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	"modernc.org/sqlite"

	"github.com/spyscan/spyscan/internal/model"
)

// Limits applied to every evidence database (see docs/limits.md).
var (
	// QueryBudget is the most time SQLite may spend on one statement,
	// every row's step included; the caller's time between rows is not
	// counted (see budget.go).
	QueryBudget = 5 * time.Minute
	// MaxValue is the longest string or blob SQLite may build or return.
	MaxValue = 64 << 20
)

// sqliteLimitLength is SQLITE_LIMIT_LENGTH for sqlite.Limit.
const sqliteLimitLength = 0

// Outcome sentinels.
var (
	// ErrRefused: the database's schema asks for something spyscan does
	// not run on evidence (a view or trigger, a recursive query).
	ErrRefused = model.NewError(model.KindRefused, "refused in an evidence database")
	// ErrQueryBudget: a statement ran past QueryBudget.
	ErrQueryBudget = model.NewError(model.KindRefused, "SQLite statement ran past its time budget")
)

// guard is the authorizer state of one database: what it refused last,
// so the error can name it.
type guard struct {
	mu      sync.Mutex
	refused string
}

func (g *guard) authorize(action sqlite.AuthorizerActionCode, arg1, arg2, _, triggerOrView string) sqlite.AuthorizerReturnCode {
	why := ""
	switch {
	case triggerOrView != "":
		why = "view or trigger " + triggerOrView
	case action == sqlite.AuthRecursive:
		why = "recursive query"
	case action == sqlite.AuthAttach || action == sqlite.AuthDetach:
		why = "attaching another database"
	default:
		return sqlite.AuthorizerOK
	}
	g.mu.Lock()
	g.refused = why
	g.mu.Unlock()
	return sqlite.AuthorizerDeny
}

func (g *guard) last() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.refused
}

// connector opens guarded connections: every physical connection, also
// one the pool reopens after an interrupted statement, gets the
// authorizer and the value-length limit before any statement runs.
type connector struct {
	inner driver.Connector
	g     *guard
}

func newConnector(dsn string, g *guard) (*connector, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return &connector{inner: c, g: g}, nil
}

func (c *connector) Driver() driver.Driver { return c.inner.Driver() }

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.harden(ctx, dc); err != nil {
		dc.Close()
		return nil, err
	}
	mc, err := newMeteredConn(dc)
	if err != nil {
		dc.Close()
		return nil, err
	}
	return mc, nil
}

func (c *connector) harden(ctx context.Context, dc driver.Conn) error {
	ar, ok := dc.(sqlite.AuthorizerRegisterer)
	if !ok {
		return fmt.Errorf("SQLite driver without an authorizer (%T)", dc)
	}
	if err := ar.RegisterAuthorizer(c.g.authorize); err != nil {
		return err
	}
	// sqlite.Limit needs a *sql.Conn: lend dc to a throw-away pool whose
	// Close leaves dc open.
	tmp := sql.OpenDB(lent{dc})
	defer tmp.Close()
	conn, err := tmp.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = sqlite.Limit(conn, sqliteLimitLength, MaxValue)
	return err
}

// lent is a connector handing out one connection that its pool may not
// close; Unwrap lets sqlite.Limit reach the driver's connection.
type lent struct{ dc driver.Conn }

func (l lent) Connect(context.Context) (driver.Conn, error) { return noClose{l.dc}, nil }
func (l lent) Driver() driver.Driver                        { return nil }

type noClose struct{ driver.Conn }

func (n noClose) Close() error                       { return nil }
func (n noClose) Unwrap() driver.Conn                { return n.Conn }
func (n noClose) IsValid() bool                      { return true }
func (n noClose) ResetSession(context.Context) error { return nil }

// stmtCtx gives one statement its budget. With one connection per
// database, a statement that got the connection means every statement
// that had it before has finished: got releases their budget timers (the
// current one is released by the next statement, or by Close).
func (d *DB) stmtCtx(ctx context.Context) (context.Context, func(ok bool)) {
	c, cancel := context.WithCancel(ctx)
	m := newMeter(QueryBudget, cancel)
	s := &stmt{cancel: cancel, m: m}
	d.mu.Lock()
	d.stmts = append(d.stmts, s)
	d.mu.Unlock()
	got := func(ok bool) {
		d.mu.Lock()
		defer d.mu.Unlock()
		keep := d.stmts[:0]
		for _, o := range d.stmts {
			switch {
			case o == s && !ok:
				o.release()
			case o != s && o.ran && ok:
				o.release()
			default:
				keep = append(keep, o)
			}
		}
		s.ran = ok
		clear(d.stmts[len(keep):])
		d.stmts = keep
	}
	return budgetCtx{Context: c, parent: ctx, m: m}, got
}

// stmt is a statement's budget: release ends its context and its timer;
// ran says it got the connection.
type stmt struct {
	cancel context.CancelFunc
	m      *meter
	ran    bool
}

func (s *stmt) release() {
	s.m.stop()
	s.cancel()
}

// explain names what the authorizer refused in an error from SQLite.
func (d *DB) explain(err error) error {
	if err == nil {
		return nil
	}
	if why := d.guard.last(); why != "" && isAuthError(err) {
		return fmt.Errorf("%w: %s (%w)", ErrRefused, why, err)
	}
	return err
}

func isAuthError(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == 23 // SQLITE_AUTH
}

// QueryContext runs a query within the statement budget.
func (d *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	sctx, got := d.stmtCtx(ctx)
	rows, err := d.DB.QueryContext(sctx, query, args...)
	got(err == nil)
	return rows, d.explain(err)
}

// EachRow runs a query within the statement budget and calls fn with each
// row's values as the driver gave them to database/sql: what Scan into
// an *any with a Scanner that keeps its source gives (int64, float64,
// string, []byte, time.Time or nil), without Scan's conversion of every
// column. vals is database/sql's buffer: valid until fn returns (the
// values themselves, modernc.org/sqlite's new strings and byte slices,
// may be kept). fn's error ends the rows and is returned as it is.
func (d *DB) EachRow(ctx context.Context, query string, fn func(vals []driver.Value) error) error {
	sctx, got := d.stmtCtx(ctx)
	rows, err := d.DB.QueryContext(sctx, query)
	got(err == nil)
	if err != nil {
		return d.explain(err)
	}
	m := sctx.(budgetCtx).m
	var ferr error
	err = eachRow(rows, func() []driver.Value { return m.row }, func(vals []driver.Value) error {
		ferr = fn(vals)
		return ferr
	})
	if ferr != nil {
		return ferr
	}
	return d.explain(err)
}

// eachRow calls fn with each row's values: those tap gives after each
// Next (the metered rows' buffer), or, when it gives none (rows not read
// through meteredRows), those Scan gives into Scanners that keep them.
// It closes rows.
func eachRow(rows *sql.Rows, tap func() []driver.Value, fn func(vals []driver.Value) error) error {
	defer rows.Close()
	var ptrs []any
	var scanned []driver.Value
	for rows.Next() {
		vals := tap()
		if vals == nil {
			if ptrs == nil {
				var err error
				if scanned, ptrs, err = scanBuffers(rows); err != nil {
					return err
				}
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			vals = scanned
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanBuffers returns a slice of a row's values and the Scan destinations
// that store each column's value in it as the driver gave it.
func scanBuffers(rows *sql.Rows) (vals []driver.Value, ptrs []any, err error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	vals, ptrs = make([]driver.Value, len(cols)), make([]any, len(cols))
	for i := range vals {
		ptrs[i] = keep{&vals[i]}
	}
	return vals, ptrs, nil
}

// keep is a Scan destination that stores the driver's value as it is
// (Scan into an *any would copy a []byte).
type keep struct{ v *driver.Value }

// Scan implements sql.Scanner.
func (k keep) Scan(src any) error {
	*k.v = src
	return nil
}

// QueryRowContext runs a one-row query within the statement budget.
func (d *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	sctx, got := d.stmtCtx(ctx)
	row := d.DB.QueryRowContext(sctx, query, args...)
	got(row.Err() == nil)
	return row
}

// ExecContext runs a statement within the statement budget.
func (d *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	sctx, got := d.stmtCtx(ctx)
	res, err := d.DB.ExecContext(sctx, query, args...)
	got(err == nil)
	return res, d.explain(err)
}

// Query runs a query within the statement budget.
func (d *DB) Query(query string, args ...any) (*sql.Rows, error) {
	return d.QueryContext(context.Background(), query, args...)
}

// QueryRow runs a one-row query within the statement budget.
func (d *DB) QueryRow(query string, args ...any) *sql.Row {
	return d.QueryRowContext(context.Background(), query, args...)
}

// Exec runs a statement within the statement budget.
func (d *DB) Exec(query string, args ...any) (sql.Result, error) {
	return d.ExecContext(context.Background(), query, args...)
}
