package acquire_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/acquire"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

func files(t *testing.T, acq *acquisition.Acquisition) []string {
	t.Helper()
	var out []string
	err := fs.WalkDir(acq.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestIntrusionLogs recognises intrusion logs given as a folder (with a
// getprop.txt giving the time zone), a folder holding only zips, a zip and
// one file, and leaves an androidqf acquisition that holds them to the
// androidqf opener.
func TestIntrusionLogs(t *testing.T) {
	dir := t.TempDir()
	logs := androiddata.IntrusionLogs("", true)
	zipped := androidgen.ZipBytes(androidgen.Files(logs), false)

	folder := filepath.Join(dir, "folder")
	withProps := map[string][]byte{"getprop.txt": androiddata.Getprop()}
	for p, b := range androiddata.IntrusionLogs("sub/dir", true) {
		withProps[p] = b
	}
	androidgen.WriteFolder(folder, androidgen.Files(withProps))
	zipsOnly := filepath.Join(dir, "zips")
	androidgen.WriteFolder(zipsOnly, androidgen.Files(map[string][]byte{"2026-06.zip": zipped}))
	zipFile := filepath.Join(dir, "logs.zip")
	os.WriteFile(zipFile, zipped, 0o644)
	one := filepath.Join(dir, "2026-06-01.txt")
	os.WriteFile(one, logs["2026-06-01.txt"], 0o644)
	qf := filepath.Join(dir, "qf")
	m := androiddata.AndroidQF(androiddata.Options{})
	for p, b := range androiddata.IntrusionLogs("intrusion_logs", true) {
		m[p] = b
	}
	androidgen.WriteFolder(qf, androidgen.Files(m))

	for _, tc := range []struct {
		path  string
		kind  acquisition.Kind
		files []string
		tz    string
	}{
		{folder, acquisition.AndroidIntrusionLogs, []string{"getprop.txt", "sub/dir/2026-06-01.txt", "sub/dir/2026-06-02.txt"}, "Europe/Paris"},
		{zipsOnly, acquisition.AndroidIntrusionLogs, []string{"2026-06.zip"}, ""},
		{zipFile, acquisition.AndroidIntrusionLogs, []string{"2026-06-01.txt", "2026-06-02.txt"}, ""},
		{one, acquisition.AndroidIntrusionLogs, []string{"2026-06-01.txt"}, ""},
		{qf, acquisition.AndroidQF, nil, "Europe/Paris"},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			o, k := detect(t, tc.path)
			if k != tc.kind {
				t.Fatalf("detected as %s by %s", k, o.Name())
			}
			acq, err := o.Open(context.Background(), tc.path, k, opts(t, ""))
			if err != nil {
				t.Fatal(err)
			}
			defer acq.Close()
			if got := files(t, acq); tc.files != nil && !slices.Equal(got, tc.files) {
				t.Errorf("files %q", got)
			}
			if acq.TZ != tc.tz {
				t.Errorf("time zone %q", acq.TZ)
			}
		})
	}
}

// TestIntrusionLogsNot leaves other text and JSON to other openers.
func TestIntrusionLogsNot(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"domains.txt":  "example.com\nexample.org\n",
		"zeek.txt":     `{"ts":1,"uid":"C1","id.orig_h":"10.0.0.1"}` + "\n",
		"events.jsonl": `{"future_event": {"when": 1}}` + "\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(data), 0o644)
		if _, ok := (&acquire.IntrusionLogs{}).Detect(context.Background(), p); ok {
			t.Errorf("%s taken for intrusion logs", name)
		}
	}
}
