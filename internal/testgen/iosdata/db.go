// Package iosdata owns the synthetic iOS artifacts used by the module tests,
// the benchmarks and the demo: SQLite databases (written by iosgen.SQLite)
// and plists with the real table schemas and keys of iOS, holding planted
// hits of indicators from the embedded snapshot and clean look-alikes that
// must not alert. All returns the app and communication artifacts (SMS,
// Safari, DataUsage, WebKit, WhatsApp, ...), System the system ones
// (version history, applications, global preferences, Cache.db, Analytics,
// locationd, OSAnalytics ADDaily, WebKit folders). Each artifact is a
// []iosgen.File with both its backup (domain + relative path) and its
// filesystem-dump location where it exists in that layout, so one fixture
// serves both layouts. Output is deterministic.
package iosdata

import (
	"context"
	"fmt"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// Planted values. Hits come from the embedded indicator snapshot; the
// look-alikes must never alert.
const (
	PegasusDomain     = "free247downloads.com"            // Pegasus (Amnesty, 2021)
	PegasusSubdomain  = "c.free247downloads.com"          // subdomain of it
	LookalikeDomain   = "notfree247downloads.com"         // shares a suffix, not a label
	LookalikeDomain2  = "free247downloads.com.au.example" // contains it, not a suffix
	QuaDreamDomain    = "wikipedoptions.com"              // QuaDream KingSpawn
	PegasusProcess    = "bh"                              // Pegasus process name
	PegasusProcess2   = "roleaccountd"                    // Pegasus process name
	CleanProcess      = "accountsd"                       // a real Apple daemon, clean
	TriangulationMail = "nonbaguette@yahoo.com"           // Operation Triangulation iMessage sender
	LookalikeMail     = "baguette@yahoo.com"              // clean
	StalkerwareAppID  = "com.apspy.app"                   // stalkerware app id
	CleanAppID        = "com.apple.mobilesafari"
)

// PegasusURL is a planted Pegasus link.
var PegasusURL = "https://" + PegasusSubdomain + "/redirect/7a3b9"

// Base is the reference time of the fixtures: 2023-09-09 10:00:00 UTC, a few
// days before the demo backup (iosgen.DemoTime).
var Base = time.Date(2023, 9, 9, 10, 0, 0, 0, time.UTC)

// appleEpoch is 2001-01-01 UTC.
var appleEpoch = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// AppleSec is t as Core Data seconds since 2001.
func AppleSec(t time.Time) float64 { return t.Sub(appleEpoch).Seconds() }

// AppleNanos is t as nanoseconds since 2001 (sms.db since iOS 11).
func AppleNanos(t time.Time) int64 { return t.Sub(appleEpoch).Nanoseconds() }

// At returns Base plus d.
func At(d time.Duration) time.Time { return Base.Add(d) }

// BuildDB writes a SQLite database from a schema and inserts (see
// iosgen.SQLite) and returns its bytes. It panics on a generator bug (bad
// SQL).
func BuildDB(schema []string, stmts []iosgen.Stmt) []byte {
	b, err := iosgen.SQLite(context.Background(), schema, stmts)
	if err != nil {
		panic(fmt.Sprintf("iosdata: %v", err))
	}
	return b
}

// Corrupt returns a copy of a database with every page after the first
// two overwritten with garbage: the schema may still be read, the rows not.
func Corrupt(db []byte) []byte {
	out := append([]byte(nil), db...)
	const page = 4096
	for i := 2 * page; i < len(out); i++ {
		out[i] = byte(i*31 + 7)
	}
	if len(out) <= 2*page {
		for i := 100; i < len(out); i++ {
			out[i] = 0xA5
		}
	}
	return out
}
