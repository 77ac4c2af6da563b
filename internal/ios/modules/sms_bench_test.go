package modules_test

import (
	"context"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/ios/modules/sms"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/sqlitex"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

// 100,000 messages, each with two links, their words also in attributedBody
// (text NULL for one in five), as iOS stores them.
func BenchmarkSMS100k(b *testing.B) {
	modtest.Bench(b, sms.New(), acquisition.IOSBackup, modtest.BackupFS(iosdata.SMS(100_000)))
}

// BenchmarkReadOnlySMS100k reads the same rows and columns with no checks:
// the floor the module is compared with.
func BenchmarkReadOnlySMS100k(b *testing.B) {
	fsys := modtest.BackupFS(iosdata.SMS(100_000))
	dir := b.TempDir()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		db, err := sqlitex.Open(context.Background(), fsys, iosdata.SMSDomain+"/"+iosdata.SMSRel, dir)
		if err != nil {
			b.Fatal(err)
		}
		rows, err := db.Query("SELECT ROWID, guid, text, attributedBody, handle_id, service, account, date, date_read, is_from_me, cache_has_attachments FROM message ORDER BY ROWID")
		if err != nil {
			b.Fatal(err)
		}
		vals := make([]any, 11)
		ptrs := make([]any, 11)
		for j := range vals {
			ptrs[j] = &vals[j]
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		db.Close()
		if n < 100_000 {
			b.Fatal(n)
		}
	}
	if c := cputime.Process() - cpu0; c > 0 {
		b.ReportMetric(float64(c.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}
