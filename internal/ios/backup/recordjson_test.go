package backup

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestRecordJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, (*Record).AppendJSON)
}

// BenchmarkRecordJSON: one Manifest record, appended and through
// json.Marshal (the manifest module's record before it appended its own).
func BenchmarkRecordJSON(b *testing.B) {
	r := &Record{FileID: "3d0d7e5fb2ce288813306e4d4636395e047a3d28", Domain: "HomeDomain",
		RelativePath: "Library/SMS/sms.db", Flags: 1, Mode: 0o100644, Size: 1 << 20,
		Birth: time.Unix(1700000000, 0).UTC(), Modified: time.Unix(1700000100, 0).UTC(), StatusChange: time.Unix(1700000100, 0).UTC(),
		ProtectionClass: 3, InodeNumber: 123456, UserID: 501, GroupID: 501}
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf, _ = r.AppendJSON(buf[:0])
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(r)
		}
	})
}
