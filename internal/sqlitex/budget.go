package sqlitex

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/spyscan/spyscan/internal/model"
)

// The statement budget counts the time SQLite spends on a statement: in
// preparing it and stepping to each row. The time its caller spends
// between rows (a module decoding and recording a million messages, on a
// machine that may be loaded) is the caller's, never SQLite's, so a
// legitimate query over a large table is not cut, while a statement whose
// own work is endless (a schema-crafted cross join, an expensive generated
// column on every row) still ends within the budget of SQLite time.
//
// The budget is enforced at the driver: a metered connection wraps each
// row set and charges its calls to the statement's meter. While the first
// row is computed, the meter's timer interrupts SQLite (modernc.org/sqlite
// interrupts a statement whose context ends); later rows are checked as
// each one returns.

// meter is one statement's budget of SQLite time. The driver's calls on
// one statement are serialised by database/sql, so only over is shared
// with the timer.
type meter struct {
	left   time.Duration
	budget time.Duration
	cancel context.CancelFunc // ends the statement's context
	timer  *time.Timer
	start  time.Time
	over   atomic.Bool
}

func newMeter(budget time.Duration, cancel context.CancelFunc) *meter {
	m := &meter{left: budget, budget: budget, cancel: cancel}
	m.timer = time.AfterFunc(time.Hour, m.expire)
	m.timer.Stop()
	return m
}

func (m *meter) expire() {
	m.over.Store(true)
	m.cancel()
}

// enter starts charging SQLite time.
func (m *meter) enter() {
	m.start = time.Now()
	m.timer.Reset(m.left)
}

// leave stops charging; it returns the budget error once the budget is
// spent.
func (m *meter) leave() error {
	m.timer.Stop()
	m.left -= time.Since(m.start)
	if m.left <= 0 && !m.over.Load() {
		m.expire()
	}
	if m.over.Load() {
		return &budgetError{m.budget}
	}
	return nil
}

// meterKey carries a statement's meter in its context to the driver.
type meterKey struct{}

// budgetCtx is a statement's context: Err says ErrQueryBudget (which is
// also context.DeadlineExceeded) when the budget, not the caller, ended it.
type budgetCtx struct {
	context.Context
	parent context.Context
	m      *meter
}

func (b budgetCtx) Err() error {
	err := b.Context.Err()
	if err != nil && b.parent.Err() == nil && b.m.over.Load() {
		return &budgetError{b.m.budget}
	}
	return err
}

func (b budgetCtx) Value(key any) any {
	if key == (meterKey{}) {
		return b.m
	}
	return b.Context.Value(key)
}

type budgetError struct{ budget time.Duration }

func (e *budgetError) Error() string {
	return fmt.Sprintf("%v (limit %v of SQLite time)", ErrQueryBudget, e.budget)
}

// ProblemKind: a statement over its budget is refused (a limit).
func (e *budgetError) ProblemKind() model.ProblemKind { return model.KindRefused }

func (e *budgetError) Is(target error) bool {
	return target == ErrQueryBudget || target == context.DeadlineExceeded
}

// meteredConn charges the statements of a connection to their meters.
type meteredConn struct {
	driver.Conn
}

// inner is the driver connection's interfaces database/sql uses.
type inner interface {
	driver.QueryerContext
	driver.ExecerContext
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.SessionResetter
	driver.Validator
}

func newMeteredConn(dc driver.Conn) (*meteredConn, error) {
	if _, ok := dc.(inner); !ok {
		return nil, fmt.Errorf("SQLite driver connection without context methods (%T)", dc)
	}
	return &meteredConn{dc}, nil
}

func (c *meteredConn) in() inner { return c.Conn.(inner) }

// Unwrap lets modernc.org/sqlite's helpers reach its own connection.
func (c *meteredConn) Unwrap() driver.Conn { return c.Conn }

func (c *meteredConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	m, _ := ctx.Value(meterKey{}).(*meter)
	if m == nil {
		return c.in().QueryContext(ctx, query, args)
	}
	m.enter()
	rows, err := c.in().QueryContext(ctx, query, args)
	if berr := m.leave(); berr != nil {
		if rows != nil {
			rows.Close()
		}
		return nil, berr
	}
	if err != nil {
		return nil, err
	}
	return &meteredRows{Rows: rows, m: m}, nil
}

func (c *meteredConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	m, _ := ctx.Value(meterKey{}).(*meter)
	if m == nil {
		return c.in().ExecContext(ctx, query, args)
	}
	m.enter()
	res, err := c.in().ExecContext(ctx, query, args)
	if berr := m.leave(); berr != nil {
		return nil, berr
	}
	return res, err
}

func (c *meteredConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.in().PrepareContext(ctx, query)
}

func (c *meteredConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.in().BeginTx(ctx, opts)
}

func (c *meteredConn) ResetSession(ctx context.Context) error { return c.in().ResetSession(ctx) }

func (c *meteredConn) IsValid() bool { return c.in().IsValid() }

// meteredRows charges each row's step to the statement's meter.
type meteredRows struct {
	driver.Rows
	m *meter
}

func (r *meteredRows) Next(dest []driver.Value) error {
	r.m.enter()
	err := r.Rows.Next(dest)
	if berr := r.m.leave(); berr != nil {
		return berr
	}
	return err
}

func (r *meteredRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *meteredRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
