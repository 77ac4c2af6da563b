// Package backup owns reading iTunes/Finder iOS backups, plain or
// encrypted, as a read-only fs.FS. The root holds the backup's own files
// (Manifest.db — decrypted when the backup is encrypted —, Manifest.plist,
// Info.plist, Status.plist); every other path is "<domain>/<relativePath>",
// resolved through Manifest.db to the stored file "<id[0:2]>/<id>".
// Encrypted files are decrypted on the fly in memory. Plain backups
// implement sqlitex.OSPather so databases open in place, immutable.
package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/keybag"
	"github.com/spyscan/spyscan/internal/ios/keyedarchive"
	"github.com/spyscan/spyscan/internal/model"
)

// Root file names of a backup.
const (
	ManifestDB    = "Manifest.db"
	ManifestPlst  = "Manifest.plist"
	InfoPlist     = "Info.plist"
	StatusPlist   = "Status.plist"
	flagFile      = 1
	flagDir       = 2
	flagSymlink   = 4
	maxBlobDecode = 1 << 20
)

var rootFiles = []string{ManifestDB, ManifestDB + "-shm", ManifestDB + "-wal", InfoPlist, ManifestPlst, StatusPlist}

// Record is one row of Manifest.db's Files table with its MBFile decoded.
type Record struct {
	FileID          string    `json:"file_id"`
	Domain          string    `json:"domain"`
	RelativePath    string    `json:"relative_path"`
	Flags           int       `json:"flags"`
	Mode            uint32    `json:"mode"`
	Size            int64     `json:"size"`
	Birth           time.Time `json:"birth,omitzero"`
	Modified        time.Time `json:"modified,omitzero"`
	StatusChange    time.Time `json:"status_change,omitzero"`
	ProtectionClass int64     `json:"protection_class,omitempty"`
	InodeNumber     int64     `json:"inode,omitempty"`
	UserID          int64     `json:"uid"`
	GroupID         int64     `json:"gid"`
	Target          string    `json:"target,omitempty"` // symlink target
	Err             string    `json:"error,omitempty"`  // the MBFile blob could not be decoded
	encKey          []byte
}

// Path is the record's path in the FS: "<domain>/<relativePath>".
func (r *Record) Path() string {
	if r.RelativePath == "" {
		return r.Domain
	}
	return r.Domain + "/" + r.RelativePath
}

// Options says how to open a backup.
type Options struct {
	// Password is asked only for encrypted backups.
	Password func(ctx context.Context, path string) (string, error)
	// TempDir is a private folder for the decrypted Manifest.db while its
	// records are read (the file is removed right after).
	TempDir string
}

// Backup is an opened backup. It implements fs.FS, fs.StatFS, fs.ReadDirFS
// and, for plain backups, sqlitex.OSPather.
type Backup struct {
	Dir       string           // the backup folder (with Manifest.db)
	root      *acquisition.Dir // Dir, read so that links cannot lead outside it
	Encrypted bool
	Manifest  *ManifestPlist // nil when Manifest.plist is absent
	Info      map[string]any // nil when Info.plist is absent

	records    []*lazyRecord // sorted by domain, relative path
	nodes      map[string]*node
	manifestDB []byte // decrypted Manifest.db, encrypted backups only
	kb         *keybag.Keybag
	Skipped    int // records whose path is not a valid FS path
}

// lazyRecord is a record and its MBFile blob until the blob is decoded
// (loadRecords decodes every record as it loads them).
type lazyRecord struct {
	Record
	blob []byte
	once sync.Once
}

func (l *lazyRecord) decoded() *Record {
	l.once.Do(func() {
		decodeMBFile(&l.Record, l.blob)
		l.blob = nil
	})
	return &l.Record
}

type node struct {
	name     string
	rec      *lazyRecord // nil for synthetic folders and root files
	dir      bool
	children []string // sorted base names
	rootFile bool
}

// Find returns the backup folder for path: path itself when it holds
// Manifest.db and Manifest.plist or Info.plist, or its only subfolder that
// does.
func Find(path string) (string, bool) {
	if isBackupDir(path) {
		return path, true
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return "", false
	}
	found := ""
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(path, e.Name())
		if isBackupDir(sub) {
			if found != "" {
				return "", false // more than one backup: ambiguous
			}
			found = sub
		}
	}
	return found, found != ""
}

func isBackupDir(dir string) bool {
	if st, err := os.Stat(filepath.Join(dir, ManifestDB)); err != nil || !st.Mode().IsRegular() {
		return false
	}
	for _, n := range []string{ManifestPlst, InfoPlist} {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// IsEncrypted reads Manifest.plist of the backup folder dir.
func IsEncrypted(dir string) (bool, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestPlst))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	m, err := ParseManifestPlist(data)
	if err != nil {
		return false, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestPlst), err)
	}
	return m.IsEncrypted, nil
}

// Open opens the backup in folder dir (as returned by Find).
func Open(ctx context.Context, dir string, opts Options) (*Backup, error) {
	root, err := acquisition.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	b, err := open(ctx, root, opts)
	if err != nil {
		root.Close()
		return nil, err
	}
	return b, nil
}

func open(ctx context.Context, root *acquisition.Dir, opts Options) (*Backup, error) {
	dir := root.Path()
	b := &Backup{Dir: dir, root: root}
	if data, err := root.ReadFile(ManifestPlst); err == nil {
		m, err := ParseManifestPlist(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %w", filepath.Join(dir, ManifestPlst), acquisition.ErrCorrupt, err)
		}
		b.Manifest = m
		b.Encrypted = m.IsEncrypted
	}
	if data, err := root.ReadFile(InfoPlist); err == nil {
		b.Info, _ = ParsePlistDict(InfoPlist, data) // a bad Info.plist is reported by the backupinfo module
	}
	if b.Encrypted {
		if err := b.unlock(ctx, opts); err != nil {
			return nil, err
		}
	}
	if err := b.loadRecords(ctx, opts.TempDir); err != nil {
		return nil, err
	}
	b.buildTree()
	return b, nil
}

// Records yields every Manifest record, decoded, sorted by domain and
// relative path (including those whose path is not a valid FS path). The
// index is not copied (that copy was 0.3 KB per file held at once).
func (b *Backup) Records() iter.Seq[Record] {
	return func(yield func(Record) bool) {
		for _, l := range b.records {
			r := *l.decoded()
			r.encKey = nil
			if !yield(r) {
				return
			}
		}
	}
}

// decodeBatch decodes records on every core (loadRecords decodes the
// records a batch at a time as it reads them, so that their MBFile blobs,
// 0.5 KB a file, are never all held at once).
func decodeBatch(part []*lazyRecord) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(part); i += workers {
				part[i].decoded()
			}
		})
	}
	wg.Wait()
}

// Record returns the decoded record of an FS path.
func (b *Backup) Record(name string) (Record, bool) {
	n := b.nodes[name]
	if n == nil || n.rec == nil {
		return Record{}, false
	}
	r := *n.rec.decoded()
	r.encKey = nil
	return r, true
}

// ErrAbsent is the error of a file that Manifest.db lists but the backup
// folder does not hold: the backup was interrupted or copied only in part.
// It is an fs.ErrNotExist, so it counts as a missing file.
var ErrAbsent error = absentError{}

type absentError struct{}

func (absentError) Error() string {
	return "listed in Manifest.db but absent from the backup folder (incomplete backup)"
}

func (absentError) Is(target error) bool { return target == fs.ErrNotExist }

// Completeness counts the regular files Manifest.db lists and those of
// them whose stored copy is absent from the backup folder.
func (b *Backup) Completeness() (listed, missing int) {
	for _, r := range b.records {
		if r.Flags != flagFile || !validID(r.FileID) {
			continue
		}
		listed++
		if _, err := b.root.Lstat(storedPath(r.FileID)); errors.Is(err, fs.ErrNotExist) {
			missing++
		}
	}
	return listed, missing
}

// Close releases the backup (drops decrypted material).
func (b *Backup) Close() error {
	b.manifestDB = nil
	b.kb = nil
	if b.root == nil {
		return nil
	}
	return b.root.Close()
}

// validID accepts file ids that cannot leave the backup folder: hex digits.
func validID(id string) bool {
	if len(id) < 2 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// storedPath is where a record's content lives in the backup folder
// (relative to it).
func storedPath(id string) string {
	if len(id) < 2 {
		return id
	}
	return id[:2] + "/" + id
}

// OSPath returns the on-disk path of name for plain backups.
func (b *Backup) OSPath(name string) (string, bool) {
	if b.Encrypted {
		return "", false
	}
	n := b.nodes[name]
	if n == nil || n.dir {
		return "", false
	}
	if n.rootFile {
		return b.root.OSPath(name)
	}
	if n.rec == nil || n.rec.Flags != flagFile || !validID(n.rec.FileID) {
		return "", false
	}
	return b.root.OSPath(storedPath(n.rec.FileID)) // absent, a link out, special: Open says why
}

func (b *Backup) buildTree() {
	b.nodes = map[string]*node{".": {name: ".", dir: true}}
	add := func(p string, n *node) {
		if old := b.nodes[p]; old != nil {
			if old.rec == nil && n.rec != nil && old.dir == n.dir {
				old.rec = n.rec // a synthetic folder met its record
			}
			return
		}
		b.nodes[p] = n
		// create parents
		for p != "." {
			parent := "."
			if i := strings.LastIndexByte(p, '/'); i >= 0 {
				parent = p[:i]
			}
			pn := b.nodes[parent]
			if pn == nil {
				pn = &node{name: baseName(parent), dir: true}
				b.nodes[parent] = pn
				pn.children = append(pn.children, baseName(p))
				p = parent
				continue
			}
			pn.children = append(pn.children, baseName(p))
			break
		}
	}
	for _, name := range rootFiles {
		if name == ManifestDB && b.Encrypted {
			add(name, &node{name: name, rootFile: true})
			continue
		}
		if b.Encrypted && strings.HasPrefix(name, ManifestDB+"-") {
			continue
		}
		if st, err := b.root.Stat(name); err == nil && st.Mode().IsRegular() {
			add(name, &node{name: name, rootFile: true})
		}
	}
	for _, r := range b.records {
		p := r.Path()
		if !fs.ValidPath(p) || p == "." || isRootFile(p) {
			b.Skipped++
			continue
		}
		add(p, &node{name: baseName(p), rec: r, dir: r.Flags == flagDir})
	}
	for _, n := range b.nodes {
		sort.Strings(n.children)
	}
}

func isRootFile(p string) bool {
	for _, n := range rootFiles {
		if p == n {
			return true
		}
	}
	return false
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// RecordFromRow builds a Record from a Files row of Manifest.db.
func RecordFromRow(fileID, domain, relativePath string, flags int, blob []byte) Record {
	r := Record{FileID: fileID, Domain: domain, RelativePath: relativePath, Flags: flags}
	decodeMBFile(&r, blob)
	r.encKey = nil
	return r
}

// decodeMBFile fills r from the NSKeyedArchiver MBFile blob.
func decodeMBFile(r *Record, blob []byte) {
	if len(blob) == 0 {
		return
	}
	if len(blob) > maxBlobDecode {
		r.Err = "MBFile blob too large"
		return
	}
	v, err := keyedarchive.Decode(blob)
	if err != nil {
		r.Err = err.Error()
		return
	}
	o, ok := v.(keyedarchive.Object)
	if !ok {
		r.Err = fmt.Sprintf("MBFile blob decodes to %T", v)
		return
	}
	f := o.Fields
	num := func(k string) int64 { n, _ := keyedarchive.Int(f[k]); return n }
	unix := func(k string) time.Time {
		n, ok := keyedarchive.Int(f[k])
		if !ok || n <= 0 {
			return time.Time{}
		}
		return model.FromUnixSeconds(float64(n))
	}
	r.Mode = uint32(num("Mode"))
	r.Size = num("Size")
	r.Birth, r.Modified, r.StatusChange = unix("Birth"), unix("LastModified"), unix("LastStatusChange")
	r.ProtectionClass = num("ProtectionClass")
	r.InodeNumber = num("InodeNumber")
	r.UserID, r.GroupID = num("UserID"), num("GroupID")
	if t, ok := f["Target"].(string); ok {
		r.Target = t
	}
	if k, ok := f["EncryptionKey"].([]byte); ok {
		r.encKey = bytes.Clone(k) // k is a slice of the blob, which is dropped
	}
}
