package web_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/lab"
	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
)

// listDir lists the regular files under dir (relative paths).
func listDir(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return filepath.SkipAll
			}
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out, err
}

func zipOf(t *testing.T, entries map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, body := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}

// TestUploadsRefused: whatever is refused leaves nothing in the data folder.
func TestUploadsRefused(t *testing.T) {
	db := &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()}
	w := newWorld(t, db)
	ana := w.session(w.users["ana"])
	path := "/cases/" + strconv.FormatInt(w.caseA.ID, 10) + "/acquisitions"
	acqDir := filepath.Join(db.DataDir, "acquisitions")
	before, _ := w.lab.Store.Acquisitions(bg, w.caseA.ID)
	for name, files := range map[string]map[string][]byte{
		"zip slip":         {"evil.zip": zipOf(t, map[string]string{"../../evil.sh": "#!/bin/sh", "dumpsys.txt": "x"})},
		"absolute entry":   {"abs.zip": zipOf(t, map[string]string{"/etc/cron.d/x": "x", "main_entry.txt": "x"})},
		"not an input":     {"notes.txt": []byte("just some text, not an acquisition")},
		"escaping name":    {"../../outside.pcap": []byte("x")},
		"absolute name":    {"/etc/passwd": []byte("x")},
		"dot-dot inside":   {"backup/../../x": []byte("x")},
		"windows drive":    {`C:\Windows\x`: []byte("x")},
		"control char":     {"a\x01b": []byte("x")},
		"duplicate folder": {"f/a": []byte("1"), "f//a": []byte("2")},
	} {
		w.session(w.users["ana"]) // fresh page state
		ana.get(path + "/new")
		r := ana.upload(path, files)
		if r.status < 400 || r.status >= 500 || !strings.Contains(r.body, `id="error"`) {
			t.Errorf("%s: %d, want a 4xx refusal naming why", name, r.status)
		}
		if left, _ := listDir(acqDir); len(left) != 0 {
			t.Errorf("%s: left %v in the data folder", name, left)
		}
	}
	if after, _ := w.lab.Store.Acquisitions(bg, w.caseA.ID); len(after) != len(before) {
		t.Errorf("%d acquisitions after refused uploads", len(after)-len(before))
	}
	log, _ := w.lab.Store.AuditLog(bg, store.AuditFilter{CaseID: w.caseA.ID})
	n := 0
	for _, e := range log {
		if e.Action == "acquisition.refused" {
			n++
		}
	}
	if n != 9 {
		t.Errorf("%d refusals audited, want 9", n)
	}
}

func TestUploadSizeLimit(t *testing.T) {
	db := &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()}
	e := newEnv(t, db, func(c *lab.Config) { c.MaxUpload = 4096 })
	u := e.user("ana", store.Analyst)
	cs, _ := e.lab.Store.CreateCase(bg, "A", "", u.ID)
	c := e.login("ana")
	path := "/cases/" + strconv.FormatInt(cs.ID, 10) + "/acquisitions"
	c.get(path + "/new")
	r := c.upload(path, map[string][]byte{"big.pcap": bytes.Repeat([]byte("x"), 10000)})
	if r.status != 413 {
		t.Errorf("upload over the limit: %d", r.status)
	}
	// Several files each under the limit but over it together.
	c.get(path + "/new")
	r = c.upload(path, map[string][]byte{"f/a": bytes.Repeat([]byte("a"), 3000), "f/b": bytes.Repeat([]byte("b"), 3000)})
	if r.status != 413 {
		t.Errorf("folder over the limit: %d", r.status)
	}
	if left, _ := listDir(filepath.Join(db.DataDir, "acquisitions")); len(left) != 0 {
		t.Errorf("left %v", left)
	}
}

// TestFolderUpload: a folder chosen in the browser arrives as files with
// relative names; it is kept as one acquisition, read-only, whose SHA-256
// is that of its sha256sum-style manifest.
func TestFolderUpload(t *testing.T) {
	db := &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()}
	w := newWorld(t, db)
	ana := w.session(w.users["ana"])
	src := filepath.Join(repo(t), "demo", "androidqf")
	files := map[string][]byte{}
	var manifest []string
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(src, p)
			b, _ := os.ReadFile(p)
			files["androidqf/"+filepath.ToSlash(rel)] = b
			sum := sha256.Sum256(b)
			manifest = append(manifest, hex.EncodeToString(sum[:])+"  androidqf/"+filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Slice(manifest, func(i, j int) bool { return manifest[i][66:] < manifest[j][66:] })
	want := sha256.Sum256([]byte(strings.Join(manifest, "\n") + "\n"))
	path := "/cases/" + strconv.FormatInt(w.caseA.ID, 10) + "/acquisitions"
	ana.get(path + "/new")
	if r := ana.upload(path, files); r.status != 303 {
		t.Fatalf("folder upload: %d %s", r.status, r.body)
	}
	acqs, _ := w.lab.Store.Acquisitions(bg, w.caseA.ID)
	a := acqs[len(acqs)-1]
	if a.Name != "androidqf" || a.Kind != "androidqf" || a.SHA256 != hex.EncodeToString(want[:]) || a.Origin != store.Uploaded {
		t.Errorf("acquisition %+v, want sha256 %x", a, want)
	}
	err := filepath.WalkDir(a.Path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		if perm := info.Mode().Perm(); (d.IsDir() && perm != 0o500) || (!d.IsDir() && perm != 0o400) {
			return fmt.Errorf("%s is %v", p, perm)
		}
		return nil
	})
	if err != nil {
		t.Errorf("uploaded folder not read-only: %v", err)
	}
}

// TestServerPaths: a path is accepted inside a configured root only, with
// links resolved first.
func TestServerPaths(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	pcap, _ := os.ReadFile(filepath.Join(repo(t), "demo", "capture.pcapng"))
	os.WriteFile(filepath.Join(root, "in.pcapng"), pcap, 0o644)
	os.WriteFile(filepath.Join(outside, "out.pcapng"), pcap, 0o644)
	os.Symlink(filepath.Join(outside, "out.pcapng"), filepath.Join(root, "link.pcapng"))
	db := &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()}
	e := newEnv(t, db, func(c *lab.Config) { c.Roots = []string{root} })
	u := e.user("ana", store.Analyst)
	cs, _ := e.lab.Store.CreateCase(bg, "A", "", u.ID)
	c := e.login("ana")
	path := "/cases/" + strconv.FormatInt(cs.ID, 10) + "/acquisitions"
	for p, want := range map[string]int{
		filepath.Join(root, "in.pcapng"):                                303,
		filepath.Join(outside, "out.pcapng"):                            403,
		filepath.Join(root, "link.pcapng"):                              403,
		filepath.Join(root, "..", filepath.Base(outside), "out.pcapng"): 403,
		"relative/path":                400,
		filepath.Join(root, "missing"): 400,
	} {
		c.get(path + "/new")
		if r := c.post(path, url.Values{"path": {p}}); r.status != want {
			t.Errorf("path %s: %d, want %d", p, r.status, want)
		}
	}
	acqs, _ := e.lab.Store.Acquisitions(bg, cs.ID)
	if len(acqs) != 1 || acqs[0].Origin != store.ServerPath || acqs[0].Kind != "pcap" || acqs[0].Path != filepath.Join(root, "in.pcapng") {
		t.Errorf("acquisitions %+v", acqs)
	}
}
