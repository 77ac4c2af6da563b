// Package labtest runs the lab's tests on both store engines: an SQLite
// database in a temporary folder, and a fresh schema of the PostgreSQL
// server named by SPYSCAN_TEST_PG_DSN (started once for the whole run by
// .ci/pgtest). Without that variable the PostgreSQL variant is skipped
// with a message saying how to run it, except in CI (CI=true), where it
// fails: CI must run the lab's tests on PostgreSQL.
package labtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/spyscan/spyscan/internal/lab/store"
)

// PGEnv names the variable holding the test server's DSN.
const PGEnv = "SPYSCAN_TEST_PG_DSN"

// DB is one test database: Open opens a store on it (again after Close,
// as a restarted server would).
type DB struct {
	Engine  store.Engine
	DataDir string // the lab's data folder (the SQLite file is in it)
	DSN     string // PostgreSQL only
	Now     func() time.Time
}

// Open opens a store on the database, closed at the end of the test.
func (d *DB) Open(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{DataDir: d.DataDir, DSN: d.DSN, Now: d.Now})
	if err != nil {
		t.Fatalf("open %s store: %v", d.Engine, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Engines runs fn once per engine, as subtests "sqlite" and "postgres".
func Engines(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, &DB{Engine: store.SQLite, DataDir: t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		db := Postgres(t)
		fn(t, db)
	})
}

// Postgres returns a fresh, empty schema on the test server, dropped at
// the end of the test, or skips the test when there is no server.
func Postgres(t testing.TB) *DB {
	t.Helper()
	dsn := os.Getenv(PGEnv)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set and CI=true: .ci/run starts PostgreSQL for the lab's tests (see .ci/pgtest)", PGEnv)
		}
		t.Skipf("skipping the PostgreSQL variant: no test server (%s unset). Start one with `eval $(bash .ci/pgtest start)` "+
			"(needs Debian's postgresql package), then run the tests again", PGEnv)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("PostgreSQL test server (%s): %v", PGEnv, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer a.Close()
		a.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	})
	return &DB{Engine: store.Postgres, DataDir: tempDir(t), DSN: withSearchPath(dsn, schema)}
}

func tempDir(t testing.TB) string {
	d, err := os.MkdirTemp("", "spyscan-lab-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// withSearchPath makes every connection of dsn use schema.
func withSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn) + " search_path=" + schema
}
