package plistx_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/plistx"
	"github.com/spyscan/spyscan/internal/testgen/hostile"
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

// TestDepthLimit: arrays and dictionaries nested MaxDepth deep decode in
// every format; one level more is refused before the decoder runs, and a
// few megabytes of nesting (which overflowed the decoder's stack) is
// refused quickly.
func TestDepthLimit(t *testing.T) {
	formats := []struct {
		name string
		gen  func(depth int) []byte
	}{
		{"xml array", func(d int) []byte { return hostile.DeepXMLPlist(d, "array") }},
		{"xml dict", func(d int) []byte { return hostile.DeepXMLPlist(d, "dict") }},
		{"text array", func(d int) []byte { return hostile.DeepTextPlist(d, '(') }},
		{"text dict", func(d int) []byte { return hostile.DeepTextPlist(d, '{') }},
		{"binary", hostile.DeepBinaryPlist},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			var v any
			if err := plistx.Unmarshal(f.gen(plistx.MaxDepth), &v); err != nil {
				t.Errorf("depth %d refused: %v", plistx.MaxDepth, err)
			}
			if got := nesting(v); got != plistx.MaxDepth {
				t.Errorf("decoded %d levels, want %d", got, plistx.MaxDepth)
			}
			if err := plistx.Unmarshal(f.gen(plistx.MaxDepth+1), &v); !errors.Is(err, plistx.ErrTooDeep) {
				t.Errorf("depth %d: %v, want ErrTooDeep", plistx.MaxDepth+1, err)
			}
			start := time.Now()
			big := f.gen(500_000)
			if err := plistx.Unmarshal(big, &v); !errors.Is(err, plistx.ErrTooDeep) {
				t.Errorf("%d MB of nesting: %v, want ErrTooDeep", len(big)>>20, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("refusing %d bytes took %v", len(big), d)
			}
		})
	}
}

// TestDepthSharedSubtree: depth counts through objects referenced more
// than once (memoised by the check), not only along the first path.
func TestDepthSharedSubtree(t *testing.T) {
	// object 0: array [1, 2]; object 1: array [2]; object 2..: a chain of
	// MaxDepth-1 arrays. Through 0→2 the depth is MaxDepth, through 0→1→2
	// it is MaxDepth+1.
	chain := hostile.DeepBinaryPlist(plistx.MaxDepth - 1)
	var v any
	if err := plistx.Unmarshal(chain, &v); err != nil {
		t.Fatal(err)
	}
	if err := plistx.Unmarshal(hostile.SharedDeepBinaryPlist(plistx.MaxDepth-1), &v); !errors.Is(err, plistx.ErrTooDeep) {
		t.Errorf("shared subtree one level too deep: %v", err)
	}
}

// TestOpenStepLexing: parentheses inside strings and comments do not count;
// parentheses after '//' inside an unquoted string do.
func TestOpenStepLexing(t *testing.T) {
	deep := strings.Repeat("(", plistx.MaxDepth+1)
	cases := []struct {
		in      string
		refused bool
	}{
		{`("` + deep + `")`, false},
		{"(/* " + deep + " */ a)", false},
		{"(// " + deep + "\n a)", false},
		{"(a//" + deep + "\n)", true},
		{`("\"` + deep + `")`, false},
		{`("\\"` + deep + `)`, true},
		{"(<" + deep + ">)", false},
	}
	for _, c := range cases {
		err := plistx.Check([]byte(c.in), 1<<20)
		if got := errors.Is(err, plistx.ErrTooDeep); got != c.refused {
			t.Errorf("%.40q…: refused %v (%v), want %v", c.in, got, err, c.refused)
		}
	}
}

// nesting counts the arrays and dictionaries nested in a decoded value.
func nesting(v any) int {
	n := 0
	for {
		switch x := v.(type) {
		case []any:
			if len(x) == 0 {
				return n + 1
			}
			v = x[0]
		case map[string]any:
			if len(x) == 0 {
				return n + 1
			}
			for _, e := range x {
				v = e
			}
		default:
			return n
		}
		n++
	}
}

func FuzzUnmarshalDepth(f *testing.F) {
	f.Add(hostile.DeepXMLPlist(5, "dict"))
	f.Add(hostile.DeepTextPlist(5, '('))
	f.Add(hostile.DeepBinaryPlist(5))
	f.Add([]byte(`("a", {b = (c); }, <0a0b>)`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		var v any
		if plistx.Unmarshal(b, &v) == nil && nesting(v) > plistx.MaxDepth {
			t.Errorf("decoded %d levels", nesting(v))
		}
	})
}
