package sqlitex

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"sync"
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
// one statement are serialised by database/sql; mu guards what the timer
// reads too.
//
// The timer is not set and stopped around every row (a quarter of the
// meter's cost on a 200k-row scan went to time.Timer.Reset and Stop): it
// is armed at the first call and fires when the budget would be spent had
// SQLite run all along; it then charges the call in progress, if any, and
// expires the statement or re-arms itself for what is left. A statement
// therefore still ends within its budget of SQLite time, however long its
// caller spends between rows, and stop releases the timer.
type meter struct {
	budget time.Duration
	cancel context.CancelFunc // ends the statement's context
	over   atomic.Bool

	// row is the values the driver gave for the statement's last row
	// (database/sql's buffer, reused for the next row), for EachRow. Set
	// and read by the one goroutine that calls Next.
	row []driver.Value

	// born is when the meter was made; the calls are timed as offsets
	// from it (time.Since reads only the monotonic clock, time.Now the
	// wall clock too: two clock reads a row saved).
	born time.Time

	mu      sync.Mutex
	timer   *time.Timer // nil until the first call
	spent   time.Duration
	start   time.Duration // of the call in progress, since born
	inside  bool          // a call is in progress
	stopped bool
}

func newMeter(budget time.Duration, cancel context.CancelFunc) *meter {
	return &meter{budget: budget, cancel: cancel, born: time.Now()}
}

func (m *meter) expire() {
	m.over.Store(true)
	m.cancel()
}

// enter starts charging SQLite time.
func (m *meter) enter() {
	now := time.Since(m.born)
	m.mu.Lock()
	m.start, m.inside = now, true
	if m.timer == nil && !m.stopped {
		m.timer = time.AfterFunc(m.budget-m.spent, m.check)
	}
	m.mu.Unlock()
}

// leave stops charging; it returns the budget error once the budget is
// spent.
func (m *meter) leave() error {
	now := time.Since(m.born)
	m.mu.Lock()
	m.inside = false
	m.spent += now - m.start
	spent := m.spent >= m.budget
	m.mu.Unlock()
	if spent && !m.over.Load() {
		m.expire()
	}
	if m.over.Load() {
		return &budgetError{m.budget}
	}
	return nil
}

// check runs when the timer fires: it expires the statement if the budget
// is spent, counting the call in progress, or re-arms the timer for the
// rest of the budget.
func (m *meter) check() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return
	}
	used := m.spent
	if m.inside {
		used += time.Since(m.born) - m.start
	}
	if used >= m.budget {
		m.expire()
		return
	}
	m.timer.Reset(m.budget - used)
}

// stop releases the timer; the statement is finished.
func (m *meter) stop() {
	m.mu.Lock()
	m.stopped = true
	if m.timer != nil {
		m.timer.Stop()
	}
	m.mu.Unlock()
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
	if err == nil {
		r.m.row = dest
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
