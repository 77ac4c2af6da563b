package plistx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/plistx"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func bomb(depth int, cycle bool) []byte { return iosdata.PlistBomb(depth, cycle) }

func TestPlistBomb(t *testing.T) {
	start := time.Now()
	var v any
	if err := plistx.Unmarshal(bomb(40, false), &v); !errors.Is(err, plistx.ErrBomb) {
		t.Errorf("2^40-object bomb: %v", err)
	}
	if err := plistx.Unmarshal(bomb(8, true), &v); !errors.Is(err, plistx.ErrBomb) {
		t.Errorf("cycle: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("the check itself took %v", time.Since(start))
	}
	if err := plistx.Unmarshal(bomb(6, false), &v); err != nil {
		t.Errorf("small shared graph (64 strings) refused: %v", err)
	}
}

func TestPlistFixturesPass(t *testing.T) {
	files, err := iosdata.System(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if len(f.Data) > 8 && string(f.Data[:6]) == "bplist" {
			n++
			var v any
			if err := plistx.Unmarshal(f.Data, &v); err != nil {
				t.Errorf("%s%s: %v", f.Path, f.RelativePath, err)
			}
		}
	}
	if n < 3 {
		t.Errorf("only %d binary plists checked", n)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add(bomb(5, false))
	f.Add(bomb(3, true))
	f.Add([]byte("bplist00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = plistx.Check(b, 1_000_000)
	})
}
