package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// TestRun writes a small bench backup twice: it holds exactly the asked
// number of files plus the four backup-level files, and the same bytes.
func TestRun(t *testing.T) {
	ctx := context.Background()
	var dbs [][]byte
	for i := range 2 {
		dir := filepath.Join(t.TempDir(), "b")
		c, err := run(ctx, dir, 300, 2000, "")
		if err != nil {
			t.Fatal(err)
		}
		if c.rows < 1990 || c.rows > 2010 {
			t.Errorf("run %d: %d rows, want about 2000", i, c.rows)
		}
		n := 0
		err = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return err
		})
		if err != nil || n != 300+4 {
			t.Fatalf("run %d: %d files (%v), want 304", i, n, err)
		}
		id := iosgen.FileID(iosdata.SMSDomain, iosdata.SMSRel)
		b, err := os.ReadFile(filepath.Join(dir, id[:2], id))
		if err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, b)
	}
	if !bytes.Equal(dbs[0], dbs[1]) {
		t.Error("sms.db differs between two runs")
	}
}

func TestSplit(t *testing.T) {
	sms, safari, usage, webkit := split(1_000_000)
	if got := sms + safari + usage + usage/10 + webkit*2; got < 990_000 || got > 1_010_000 {
		t.Errorf("split(1M) gives %d rows", got)
	}
}
