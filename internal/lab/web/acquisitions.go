package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/progress"
	"github.com/spyscan/spyscan/internal/scan"
)

// Upload limits, beside Config.MaxUpload (the bytes of one upload).
const (
	maxPathLen   = 1024 // bytes of one uploaded file's relative path
	maxPathDepth = 64   // elements (folders and the file's name) in that path
)

// maxUploadFiles bounds the files of one folder upload (a variable only so
// that tests can lower it).
var maxUploadFiles = 1_000_000

type addView struct {
	Case      *store.Case
	Roots     []string
	MaxUpload int64
	Error     string
}

func (s *Server) addAcquisitionPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.showAdd(w, rc, http.StatusOK, "")
}

func (s *Server) showAdd(w http.ResponseWriter, rc *reqCtx, status int, errText string) error {
	c, err := s.cfg.Store.Case(context.Background(), rc.caseID)
	if err != nil {
		return err
	}
	s.render(w, rc, status, "add", "lab.add.title", addView{Case: c, Roots: s.cfg.Roots, MaxUpload: s.cfg.MaxUpload, Error: errText})
	return nil
}

// refusal is an acquisition not accepted, with the reason to show.
type refusal struct {
	status int
	key    string
	args   []any
}

func (e *refusal) Error() string { return e.key }

func refused(status int, key string, args ...any) error { return &refusal{status, key, args} }

func (s *Server) addAcquisition(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var acq *store.Acquisition
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		acq, err = s.receiveUpload(w, r, rc)
	} else {
		acq, err = s.addServerPath(r, rc)
	}
	var ref *refusal
	if errors.As(err, &ref) {
		s.audit(r.Context(), rc, "acquisition.refused", rc.caseID, "", rc.cat.T(ref.key, ref.args...))
		return s.showAdd(w, rc, ref.status, rc.cat.T(ref.key, ref.args...))
	}
	if err != nil {
		return err
	}
	s.audit(r.Context(), rc, "acquisition.add", rc.caseID, acq.Name,
		fmt.Sprintf("origin %s, kind %s, %d bytes, sha256 %s, at %s", acq.Origin, acq.Kind, acq.Size, dashIfEmpty(acq.SHA256), acq.Path))
	return seeOther(w, r, fmt.Sprintf("/cases/%d", rc.caseID), "acquisition_added")
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// addServerPath adds a file or folder already on the server, inside one
// of the configured roots (links resolved first, so a link cannot lead
// out of them). Nothing is copied or written: the scan reads it in place,
// read-only.
func (s *Server) addServerPath(r *http.Request, rc *reqCtx) (*store.Acquisition, error) {
	if len(s.cfg.Roots) == 0 {
		return nil, refused(http.StatusForbidden, "lab.add.no_roots")
	}
	p := strings.TrimSpace(r.PostForm.Get("path"))
	if p == "" || len(p) > 4096 || strings.ContainsRune(p, 0) || !filepath.IsAbs(p) {
		return nil, refused(http.StatusBadRequest, "lab.add.bad_path")
	}
	real, err := filepath.EvalSymlinks(filepath.Clean(p))
	if err != nil {
		return nil, refused(http.StatusBadRequest, "lab.add.no_such_path", "path", p)
	}
	if !insideRoots(real, s.cfg.Roots) {
		return nil, refused(http.StatusForbidden, "lab.add.outside_roots", "path", p)
	}
	st, err := os.Stat(real)
	if err != nil || !(st.Mode().IsRegular() || st.IsDir()) {
		return nil, refused(http.StatusBadRequest, "lab.add.no_such_path", "path", p)
	}
	kind, err := inspect(r.Context(), real)
	if err != nil {
		return nil, refused(http.StatusUnprocessableEntity, "lab.add.not_recognised", "path", filepath.Base(real), "why", err.Error())
	}
	size := st.Size()
	if st.IsDir() {
		size = treeSize(real)
	}
	return s.cfg.Store.AddAcquisition(r.Context(), store.Acquisition{CaseID: rc.caseID, Name: filepath.Base(real), Origin: store.ServerPath,
		Path: real, Kind: string(kind), Size: size, AddedBy: rc.user.ID})
}

// insideRoots reports whether real (links resolved) is one of the roots
// or inside one.
func insideRoots(real string, roots []string) bool {
	for _, root := range roots {
		rr, err := filepath.EvalSymlinks(root)
		if err != nil {
			continue
		}
		if real == rr || strings.HasPrefix(real, strings.TrimSuffix(rr, string(filepath.Separator))+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// treeSize adds up the regular files of a folder (bounded walk).
func treeSize(dir string) int64 {
	var n int64
	count := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if count++; count > maxUploadFiles {
			return filepath.SkipAll
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// inspect tells what an acquisition is, and opens it the way a scan does,
// so that it goes through the same checks and archive limits as `scan`
// (escaping entries, links out of the evidence, decompression bombs) before
// it is accepted. An encrypted input is accepted: its password is asked
// when it is scanned.
func inspect(ctx context.Context, p string) (acquisition.Kind, error) {
	tmp, err := os.MkdirTemp("", "spyscan-inspect-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	openers := scan.Openers()
	var kind acquisition.Kind
	for _, o := range openers {
		if k, ok := o.Detect(ctx, p); ok {
			kind = k
			break
		}
	}
	acq, err := scan.Open(ctx, openers, p, acquisition.Options{TempDir: tmp})
	if errors.Is(err, acquisition.ErrNeedPassword) && kind != "" {
		return kind, nil
	}
	if err != nil {
		return "", err
	}
	if acq.Close != nil {
		acq.Close()
	}
	return acq.Kind, nil
}

// receiveUpload streams an upload to the data folder: one file (a zip, a
// pcap, a backup.ab...) or the files of a folder (an iOS backup chosen as
// a folder), each hashed while it is received. Files are written through
// an os.Root of a fresh folder, so no name can put anything outside it;
// the whole upload is bounded in bytes, files, and path length and depth.
// The acquisition is then inspected like a scan input, and made read-only.
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request, rc *reqCtx) (*store.Acquisition, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "lab.error.bad_form")
	}
	// The first part is the CSRF token: nothing is stored before it is checked.
	first, err := mr.NextPart()
	if err != nil || first.FormName() != "csrf" {
		return nil, errCSRF
	}
	tok, _ := io.ReadAll(io.LimitReader(first, 256))
	if err := s.tokenOK(rc, string(tok)); err != nil {
		return nil, err
	}
	base := filepath.Join(s.cfg.DataDir, "acquisitions", fmt.Sprintf("case-%d", rc.caseID))
	if err := os.MkdirAll(base, 0o700); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(base, ".incoming-")
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}()
	up, err := s.receiveFiles(mr, dir)
	if err != nil {
		return nil, err
	}
	if len(up.files) == 0 {
		return nil, refused(http.StatusBadRequest, "lab.add.nothing")
	}
	// The acquisition is the one file, the one top folder, or the whole upload.
	target, name := dir, "upload"
	if top := up.top(); top != "" {
		target, name = filepath.Join(dir, filepath.FromSlash(top)), top
	}
	kind, err := inspect(r.Context(), target)
	if err != nil {
		return nil, refused(http.StatusUnprocessableEntity, "lab.add.not_recognised", "path", name, "why", err.Error())
	}
	final, err := os.MkdirTemp(base, "upload-")
	if err != nil {
		return nil, err
	}
	os.Remove(final)
	if err := os.Rename(dir, final); err != nil {
		return nil, err
	}
	keep = true
	target = filepath.Join(final, strings.TrimPrefix(target, dir))
	if err := readOnly(final); err != nil {
		return nil, err
	}
	return s.cfg.Store.AddAcquisition(r.Context(), store.Acquisition{CaseID: rc.caseID, Name: name, Origin: store.Uploaded,
		Path: target, Kind: string(kind), Size: up.bytes, SHA256: up.digest(), AddedBy: rc.user.ID})
}

// upload is what receiveFiles stored.
type upload struct {
	files map[string]string // relative path → SHA-256
	bytes int64
}

// top is the single file or single top folder all files are in ("" when
// the files are spread over several).
func (u *upload) top() string {
	top := ""
	for p := range u.files {
		first, _, _ := strings.Cut(p, "/")
		if top != "" && first != top {
			return ""
		}
		top = first
	}
	return top
}

// digest is the SHA-256 of the one file, or for a folder the SHA-256 of
// its manifest (one "sha256  path" line per file, sorted by path, as
// sha256sum prints it).
func (u *upload) digest() string {
	if len(u.files) == 1 {
		for p, h := range u.files {
			if !strings.Contains(p, "/") {
				return h
			}
		}
	}
	paths := make([]string, 0, len(u.files))
	for p := range u.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		fmt.Fprintf(h, "%s  %s\n", u.files[p], p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Server) receiveFiles(mr *multipart.Reader, dir string) (*upload, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	up := &upload{files: map[string]string{}}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, nil
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, refused(http.StatusRequestEntityTooLarge, "lab.add.too_large", "size", progress.Size(s.cfg.MaxUpload))
		}
		if err != nil {
			return nil, refused(http.StatusBadRequest, "lab.add.broken_upload", "why", err.Error())
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		rel, ok := uploadPath(part)
		if !ok {
			return nil, refused(http.StatusBadRequest, "lab.add.bad_name", "name", rawFilename(part))
		}
		if rel == "" {
			continue // an empty file input
		}
		if _, dup := up.files[rel]; dup {
			return nil, refused(http.StatusBadRequest, "lab.add.bad_name", "name", rel)
		}
		if len(up.files) >= maxUploadFiles {
			return nil, refused(http.StatusRequestEntityTooLarge, "lab.add.too_many", "n", maxUploadFiles)
		}
		sum, n, err := s.storeFile(root, rel, part, s.cfg.MaxUpload-up.bytes)
		if err != nil {
			return nil, err
		}
		up.files[rel], up.bytes = sum, up.bytes+n
	}
}

// storeFile writes one part under root, hashing it, with at most limit bytes.
func (s *Server) storeFile(root *os.Root, rel string, src io.Reader, limit int64) (string, int64, error) {
	if d := path.Dir(rel); d != "." {
		if err := root.MkdirAll(d, 0o700); err != nil {
			return "", 0, refused(http.StatusBadRequest, "lab.add.bad_name", "name", rel)
		}
	}
	f, err := root.OpenFile(rel, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", 0, refused(http.StatusBadRequest, "lab.add.bad_name", "name", rel)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(src, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var tooBig *http.MaxBytesError
	if n > limit || errors.As(err, &tooBig) {
		return "", 0, refused(http.StatusRequestEntityTooLarge, "lab.add.too_large", "size", progress.Size(s.cfg.MaxUpload))
	}
	if err != nil {
		return "", 0, refused(http.StatusBadRequest, "lab.add.broken_upload", "why", err.Error())
	}
	return hexSum(h), n, nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// rawFilename is the part's filename as sent: for a folder chosen in the
// browser it is the path inside the folder (Part.FileName keeps only the
// last element).
func rawFilename(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return ""
	}
	return params["filename"]
}

// uploadPath turns a part's filename into a clean relative path: slashes,
// no "..", no absolute path or drive, no NUL or control character, bounded
// length and depth. "" (and ok) for an empty file input.
func uploadPath(p *multipart.Part) (string, bool) {
	name := strings.ReplaceAll(rawFilename(p), "\\", "/")
	if name == "" {
		return "", true
	}
	if len(name) > maxPathLen || strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':') {
		return "", false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", false
		}
	}
	parts := strings.Split(name, "/")
	if len(parts) > maxPathDepth {
		return "", false
	}
	for _, e := range parts {
		if e == "" || e == "." || e == ".." {
			return "", false
		}
	}
	return strings.Join(parts, "/"), true
}

// readOnly makes an uploaded acquisition read-only: evidence is never
// changed once received.
func readOnly(dir string) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		return os.Chmod(p, 0o400)
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Chmod(dirs[i], 0o500); err != nil {
			return err
		}
	}
	return nil
}
