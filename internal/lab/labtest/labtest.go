// Package labtest runs the lab's tests on both store engines: an SQLite
// database in a temporary folder, and a fresh schema of the PostgreSQL
// server named by SPYSCAN_TEST_PG_DSN (started once for the whole run by
// .ci/pgtest). Without that variable the PostgreSQL variant is skipped
// with a message saying how to run it, except in CI (CI=true), where it
// fails: CI must run the lab's tests on PostgreSQL.
package labtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
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

// Bundle returns a STIX 2.1 bundle of one malware family with one
// domain-name indicator per domain, "indicates" relationships included.
func Bundle(family string, domains ...string) []byte {
	id := func(kind string, n int) string {
		h := sha256.Sum256([]byte(family + kind + strconv.Itoa(n)))
		x := hex.EncodeToString(h[:16])
		return kind + "--" + x[:8] + "-" + x[8:12] + "-4" + x[13:16] + "-8" + x[17:20] + "-" + x[20:32]
	}
	const ts = `"created":"2026-11-01T00:00:00Z","modified":"2026-11-01T00:00:00Z"`
	objs := []string{fmt.Sprintf(`{"type":"malware","spec_version":"2.1","id":%q,%s,"name":%q,"is_family":true}`, id("malware", 0), ts, family)}
	for i, d := range domains {
		objs = append(objs,
			fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,%s,"pattern":"[domain-name:value = '%s']","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z"}`,
				id("indicator", i), ts, d),
			fmt.Sprintf(`{"type":"relationship","spec_version":"2.1","id":%q,%s,"relationship_type":"indicates","source_ref":%q,"target_ref":%q}`,
				id("relationship", i), ts, id("indicator", i), id("malware", 0)))
	}
	return []byte(fmt.Sprintf(`{"type":"bundle","id":%q,"objects":[%s]}`, id("bundle", 0), strings.Join(objs, ",\n")))
}

// SelfSigned writes a certificate and key for 127.0.0.1 and localhost
// into a temporary folder and returns their paths and a pool trusting it.
func SelfSigned(t testing.TB) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "spyscan lab test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := tempDir(t)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
