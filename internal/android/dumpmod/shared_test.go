package dumpmod_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/modules/accessibility"
	"github.com/spyscan/spyscan/internal/android/modules/adbstate"
	"github.com/spyscan/spyscan/internal/android/modules/appops"
	"github.com/spyscan/spyscan/internal/android/modules/getprop"
	"github.com/spyscan/spyscan/internal/android/modules/packages"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
)

// The shared pass gives each module exactly what its own pass gives, when
// the modules run concurrently, and for kinds some modules do not apply to.
func TestSharedMatchesStandalone(t *testing.T) {
	specs := []dumpmod.Spec{accessibility.New(), adbstate.New(), appops.New(), getprop.New(), packages.New()}
	for _, c := range modtest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			fsys := c.FS
			acq := &acquisition.Acquisition{Path: "test", Kind: c.Kind, FS: fsys}
			ix := modtest.Index(t)
			shared := dumpmod.Shared(specs...)
			got := make([]string, len(shared))
			var wg sync.WaitGroup
			for i, m := range shared {
				if !m.Applies(c.Kind) {
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					rec := module.NewRecorder(m.Name(), ix, nil)
					err := m.Run(context.Background(), &module.Input{Acq: acq, Index: ix}, rec)
					b, _ := json.Marshal(rec.Result())
					got[i] = string(b) + errString(err)
				}()
			}
			wg.Wait()
			for i, s := range specs {
				if !s.Applies(c.Kind) {
					continue
				}
				rec := module.NewRecorder(s.Name(), ix, nil)
				err := s.Run(context.Background(), &module.Input{Acq: acq, Index: ix}, rec) // its own pass
				b, _ := json.Marshal(rec.Result())
				if want := string(b) + errString(err); got[i] != want {
					t.Errorf("%s: shared pass differs from its own pass", s.Name())
				}
			}
		})
	}
}

func TestSharedNoDump(t *testing.T) {
	acq := &acquisition.Acquisition{Kind: acquisition.AndroidQF, FS: modtest.FS(map[string][]byte{"packages.json": nil})}
	for _, m := range dumpmod.Shared(accessibility.New(), packages.New()) {
		err := m.Run(context.Background(), &module.Input{Acq: acq}, module.NewRecorder(m.Name(), nil, nil))
		if err != module.ErrNotFound {
			t.Errorf("%s: %v", m.Name(), err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return " error: " + err.Error()
}

// IsPackageName is the byte loop of the expression it documents: both
// agree on names, near-names and every short string of the bytes that
// matter.
func TestIsPackageName(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$`)
	check := func(s string) {
		if got, want := dumpmod.IsPackageName(s), len(s) < 256 && re.MatchString(s); got != want {
			t.Errorf("IsPackageName(%q) = %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"com.example", "a.b", "a_1.B2.c_", "com", "com.", ".com", "com..x", "1a.b", "_a.b", "a.b/c",
		"a.b c", "a.é", "a.b\n", "", strings.Repeat("a.", 127) + "b", strings.Repeat("a.", 128) + "b"} {
		check(s)
	}
	alphabet := []byte("aZ0_.-/ ")
	var gen func(prefix []byte, n int)
	gen = func(prefix []byte, n int) {
		check(string(prefix))
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			gen(append(prefix, c), n-1)
		}
	}
	gen(nil, 5)
}
