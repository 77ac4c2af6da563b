package qfmanifest

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/model"
)

func TestSafePath(t *testing.T) {
	for _, tc := range []struct {
		p  string
		ok bool
	}{
		{"magisk_modules/0000/module.prop", true},
		{"magisk_modules/x", true},
		{"../secret", false},
		{"magisk_modules/../secret", false},
		{"magisk_modules/0000/../../secret", false},
		{"/etc/passwd", false},
		{"magisk_modules\\0000\\module.prop", false},
		{"magisk_modules//module.prop", false},
		{"magisk_modules/./module.prop", false},
		{"magisk_modules", false},
		{"browser_history/x", false},
		{"magisk_modules/a\x00b", false},
		{"", false},
	} {
		err := SafePath(tc.p, "magisk_modules")
		if (err == nil) != tc.ok {
			t.Errorf("%q: %v", tc.p, err)
		}
		if err != nil && (!IsUnsafe(err) || model.KindOf(err) != model.KindRefused || !strings.Contains(err.Error(), "magisk_modules/")) {
			t.Errorf("%q: %v (kind %s)", tc.p, err, model.KindOf(err))
		}
	}
}

func TestDecode(t *testing.T) {
	m, list, err := Decode([]byte(`{"schema_version": 1, "status": "partial", "generated_at": "2026-08-01T10:00:00Z", "modules": [{"a": "b"}, 3, null]}`), "modules")
	if err != nil || m.Status != "partial" || m.GeneratedAt == "" || len(list) != 3 || Str(list[0], "a") != "b" || list[1] != nil || list[2] != nil {
		t.Fatalf("%+v %+v %v", m, list, err)
	}
	for _, b := range []string{`{"schema_version": 2, "modules": []}`, `{"modules": []}`, `{"schema_version": "1"}`, `{"schema_version": 1, "modules": {}}`} {
		if _, _, err := Decode([]byte(b), "modules"); !errors.Is(err, ErrUnsupported) || model.KindOf(err) != model.KindUnsupported {
			t.Errorf("%s: %v", b, err)
		}
	}
	if _, _, err := Decode([]byte(`{"schema_version": 1`), "modules"); err == nil || model.KindOf(err) != model.KindDamaged {
		t.Errorf("truncated: %v", err)
	}
	if _, list, err := Decode([]byte(`{"schema_version": 1}`), "modules"); err != nil || len(list) != 0 {
		t.Errorf("no list: %v %v", list, err)
	}
}

func TestStrings(t *testing.T) {
	obj := map[string]any{"ok": []any{"a", "b"}, "mixed": []any{"a", 1.0}, "str": "a"}
	if l, ok := Strings(obj, "ok"); !ok || len(l) != 2 {
		t.Error(l, ok)
	}
	for _, k := range []string{"mixed", "str", "absent"} {
		if _, ok := Strings(obj, k); ok {
			t.Error(k)
		}
	}
}

func TestRead(t *testing.T) {
	fsys := fstest.MapFS{"m.json": {Data: []byte("0123456789")}}
	if _, err := Read(fsys, "m.json", 9); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "m.json") {
		t.Errorf("over: %v", err)
	}
	if b, err := Read(fsys, "m.json", 10); err != nil || len(b) != 10 {
		t.Errorf("at: %v", err)
	}
}

// FuzzDecode: any manifest up to MaxSize decodes or fails without
// panicking (encoding/json bounds nesting at 10,000 levels).
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"schema_version": 1, "status": "collected", "databases": [{"archive_path": "browser_history/x/History", "sidecars": []}]}`))
	f.Add([]byte(`{"schema_version": 1, "modules": [{"state_files": ["disable"], "state_files_complete": true}, 1]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > MaxSize {
			return
		}
		_, list, err := Decode(b, "modules")
		if err != nil && list != nil {
			t.Fatal("list with an error")
		}
	})
}

// FuzzSafePath: an accepted path never climbs out of its folder.
func FuzzSafePath(f *testing.F) {
	f.Add("magisk_modules/0000/module.prop")
	f.Add("magisk_modules/../x")
	f.Fuzz(func(t *testing.T, p string) {
		if SafePath(p, "magisk_modules") == nil && (strings.Contains(p, "..") && strings.Contains("/"+p+"/", "/../") || !strings.HasPrefix(p, "magisk_modules/")) {
			t.Fatalf("%q accepted", p)
		}
	})
}
