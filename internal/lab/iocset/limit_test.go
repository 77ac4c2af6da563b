package iocset_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/spyscan/spyscan/internal/lab/iocset"
	"github.com/spyscan/spyscan/internal/lab/labtest"
)

// TestAddedSizeLimit checks MaxAdded (lowered to 1 MB for the test) at the
// limit and one byte past it, with the message the user reads.
func TestAddedSizeLimit(t *testing.T) {
	saved := iocset.MaxAdded
	iocset.MaxAdded = 1 << 20
	t.Cleanup(func() { iocset.MaxAdded = saved })
	ctx := context.Background()
	bundle := labtest.Bundle("Pegasus", "coazoa.com")
	for _, tt := range []struct {
		name    string
		size    int
		wantErr string
	}{
		{"at the limit", 1 << 20, ""},
		{"one byte past", 1<<20 + 1, "big.stix2: larger than 1 MB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			added := t.TempDir()
			h, err := iocset.New(ctx, iocset.Options{CacheDir: t.TempDir(), AddedDir: added, NoEmbedded: true})
			if err != nil {
				t.Fatal(err)
			}
			data := append(bytes.Clone(bundle), bytes.Repeat([]byte("\n"), tt.size-len(bundle))...)
			stored, _, err := h.Add(ctx, "big.stix2", bytes.NewReader(data))
			entries, _ := os.ReadDir(added)
			if tt.wantErr == "" {
				if err != nil || stored == "" || len(entries) != 1 {
					t.Fatalf("err %v, stored %q, %d files kept", err, stored, len(entries))
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr || len(entries) != 0 {
				t.Fatalf("err %v, %d files kept; want %q and nothing kept", err, len(entries), tt.wantErr)
			}
		})
	}
}
