// Package backup owns reading iTunes/Finder iOS backups, plain or
// encrypted, as a read-only fs.FS. The root holds the backup's own files
// (Manifest.db — decrypted when the backup is encrypted —, Manifest.plist,
// Info.plist, Status.plist); every other path is "<domain>/<relativePath>",
// resolved through Manifest.db to the stored file "<id[0:2]>/<id>".
// Encrypted files are decrypted on the fly in memory. Plain backups
// implement sqlitex.OSPather so databases open in place, immutable.
package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/keybag"
	"github.com/spyscan/spyscan/internal/ios/keyedarchive"
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
	// path is the FS path as the Manifest index holds it, when the
	// record came from there ("" otherwise): Path returns it while it
	// still is Domain/RelativePath, instead of joining them anew.
	path string
}

// Path is the record's path in the FS: "<domain>/<relativePath>".
func (r *Record) Path() string {
	if r.RelativePath == "" {
		return r.Domain
	}
	if p := r.path; len(p) == len(r.Domain)+1+len(r.RelativePath) && p[len(r.Domain)] == '/' &&
		p[:len(r.Domain)] == r.Domain && p[len(r.Domain)+1:] == r.RelativePath {
		return p
	}
	return r.Domain + "/" + r.RelativePath
}

// Options says how to open a backup.
type Options struct {
	// Password is asked only for encrypted backups.
	Password func(ctx context.Context, path string) (string, error)
	// TempDir is a private folder for the decrypted Manifest.db while its
	// records are read (the file is removed right after), and for the
	// Manifest index (removed by Close). "" is the system's temporary
	// folder; never the backup's.
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

	idx        *index // nil until opened, and after Close
	manifestDB []byte // decrypted Manifest.db, encrypted backups only
	kb         *keybag.Keybag
	Skipped    int    // records whose path is not a valid FS path
	tempDir    string // Options.TempDir: the sorted runs of Completeness

	rootMu   sync.Mutex
	rootEnts []dirEntry // the listing of ".", kept once made: every "AppDomain-*" pattern of the modules lists it
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
	b := &Backup{Dir: dir, root: root, tempDir: opts.TempDir}
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
	bd := newBuilder(opts.TempDir)
	if err := b.loadRecords(ctx, opts.TempDir, bd); err != nil {
		bd.discard()
		return nil, err
	}
	if err := b.buildIndex(ctx, bd); err != nil {
		bd.discard()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: %w: %w", filepath.Join(dir, ManifestDB), acquisition.ErrCorrupt, err)
	}
	return b, nil
}

// Records yields every Manifest record, decoded, sorted by domain and
// relative path (including those whose path is not a valid FS path). The
// records are made from the packed index one at a time.
func (b *Backup) Records() iter.Seq[Record] {
	return func(yield func(Record) bool) {
		b.idx.each(func(_ int, p *packedRecord, str func(ref) string) bool {
			return yield(b.idx.recordOf(p, str))
		})
	}
}

// Record returns the decoded record of an FS path.
func (b *Backup) Record(name string) (Record, bool) {
	_, n, ok := b.idx.lookup(name)
	if !ok || n.rec < 0 {
		return Record{}, false
	}
	return b.idx.record(int(n.rec)), true
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

// Close releases the backup: drops decrypted material and removes the
// Manifest index's files.
func (b *Backup) Close() error {
	b.manifestDB = nil
	b.kb = nil
	var err error
	if b.idx != nil {
		err = b.idx.close()
	}
	if b.root == nil {
		return err
	}
	return errors.Join(err, b.root.Close())
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
	n, ok := b.node(name)
	if !ok || n.kind == nodeDir {
		return "", false
	}
	if n.kind == nodeRootFile {
		return b.root.OSPath(name)
	}
	r := b.idx.rec(int(n.rec))
	if id := b.idx.str(r.id); r.flags == flagFile && validID(id) {
		return b.root.OSPath(storedPath(id)) // absent, a link out, special: Open says why
	}
	return "", false
}

// node returns the node of an FS path ("." included).
func (b *Backup) node(name string) (packedNode, bool) {
	if name == "." {
		return packedNode{rec: -1, kind: nodeDir}, true
	}
	_, n, ok := b.idx.lookup(name)
	return n, ok
}

// buildIndex writes the index: the records, then the FS paths (the root
// files present, then the records').
func (b *Backup) buildIndex(ctx context.Context, bd *builder) error {
	var present []string
	for _, name := range rootFiles {
		if name == ManifestDB && b.Encrypted {
			present = append(present, name)
			continue
		}
		if b.Encrypted && strings.HasPrefix(name, ManifestDB+"-") {
			continue
		}
		if st, err := b.root.Stat(name); err == nil && st.Mode().IsRegular() {
			present = append(present, name)
		}
	}
	x, err := bd.build(ctx, present)
	if err != nil {
		return err
	}
	b.idx, b.Skipped = x, x.skipped
	return nil
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
	m := decodeMBFile(blob)
	return Record{FileID: fileID, Domain: domain, RelativePath: relativePath, Flags: flags,
		Mode: m.mode, Size: m.fields.size,
		Birth: unixTime(m.fields.birth), Modified: unixTime(m.fields.modified), StatusChange: unixTime(m.fields.statusChange),
		ProtectionClass: m.fields.protection, InodeNumber: m.fields.inode, UserID: m.fields.uid, GroupID: m.fields.gid,
		Target: m.target, Err: m.err}
}

// mbFile is a decoded MBFile blob.
type mbFile struct {
	mode   uint32
	fields mbFields
	target string
	key    []byte // a slice of the blob
	err    string // why the blob could not be decoded
}

// decodeMBFile decodes the NSKeyedArchiver MBFile blob of a Files row:
// through keyedarchive.DecodeFlat when it takes the blob on (a device's
// layout), else through keyedarchive.Decode, which gives the same fields.
func decodeMBFile(blob []byte) mbFile {
	var m mbFile
	if len(blob) == 0 {
		return m
	}
	if len(blob) > maxBlobDecode {
		m.err = "MBFile blob too large"
		return m
	}
	var f [len(mbFileFields)]any
	if !keyedarchive.DecodeFlat(blob, mbFileFields[:], f[:]) {
		v, err := keyedarchive.Decode(blob)
		if err != nil {
			m.err = err.Error()
			return m
		}
		o, ok := v.(keyedarchive.Object)
		if !ok {
			m.err = fmt.Sprintf("MBFile blob decodes to %T", v)
			return m
		}
		for i, k := range mbFileFields {
			f[i] = o.Fields[k]
		}
	}
	num := func(i int) int64 { n, _ := keyedarchive.Int(f[i]); return n }
	m.mode = uint32(num(mbMode))
	m.fields = mbFields{size: num(mbSize), birth: num(mbBirth), modified: num(mbModified), statusChange: num(mbStatusChange),
		protection: num(mbProtection), inode: num(mbInode), uid: num(mbUID), gid: num(mbGID)}
	if t, ok := f[mbTarget].(string); ok {
		m.target = t
	}
	if k, ok := f[mbKey].([]byte); ok {
		m.key = k
	}
	return m
}

// mbFileFields are the MBFile fields a record keeps, in the order of the
// mb* constants.
var mbFileFields = [...]string{"Mode", "Size", "Birth", "LastModified", "LastStatusChange", "ProtectionClass",
	"InodeNumber", "UserID", "GroupID", "Target", "EncryptionKey"}

const (
	mbMode = iota
	mbSize
	mbBirth
	mbModified
	mbStatusChange
	mbProtection
	mbInode
	mbUID
	mbGID
	mbTarget
	mbKey
)
