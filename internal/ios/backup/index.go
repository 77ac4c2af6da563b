package backup

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/spill"
)

// index is the Manifest index of a backup: every record of Manifest.db's
// Files table and every path of the FS, kept in three files of a private
// temporary folder and read through a small page cache, so that the heap
// an opened backup holds does not grow with its number of files (a backup
// of 500,000 files held 135 MB when the packed index lived in memory). A
// file stays in memory while it is small (memIndexFile), and the folder is
// made only when one outgrows it.
//
//	arena  the strings (paths, file ids, link targets, keys), back to back
//	recs   fixed-size records (recSize bytes), sorted by domain, relative path, file id
//	nodes  fixed-size FS paths (nodeSize bytes), sorted by path (bytes); "." is not stored
//
// Records and nodes refer to strings by offset and length in the arena.
// The files are written once, by build, through sorted runs on disk
// (internal/spill), so building is bounded in memory too; afterwards they
// are only read. close removes them.
type index struct {
	dir                *indexDir // the private folder holding the files; nil once closed
	arena, recs, nodes *indexFile
	nrec, nnode        int
	domains            []string // distinct domains (a few dozen)
	skipped            int      // records whose path is not a valid FS path
	cache              *pageCache
}

// ref locates a string in the arena.
type ref struct{ off, n uint32 }

// packedRecord is a Record whose strings are arena references.
type packedRecord struct {
	path   ref // "<domain>/<relativePath>", or the domain alone when relativePath is empty
	id     ref
	target ref
	err    ref
	key    ref // the wrapped file key of an encrypted backup
	domain uint32
	mode   uint32
	flags  int64
	mb     mbFields
}

// mbFields are the numbers of an MBFile blob, as stored (times in Unix
// seconds, 0 when absent).
type mbFields struct {
	size, birth, modified, statusChange int64
	protection, inode, uid, gid         int64
}

// packedNode is one FS path.
type packedNode struct {
	path ref
	rec  int32 // index in recs; -1 for a root file or a folder no record describes
	kind nodeKind
	link bool // the record is a symbolic link
}

type nodeKind uint8

const (
	nodeFile nodeKind = iota
	nodeDir
	nodeRootFile
)

// Sizes of the fixed-size entries of the recs and nodes files.
const (
	recSize  = 5*8 + 4 + 4 + 8 + 8*8
	nodeSize = 16
)

var errIndexTooLarge = errors.New("Manifest index larger than 4 GiB of names")

// indexReadError is the panic of a read of the index files that failed (a
// disk error on the private temporary folder). The FS methods turn it back
// into an error; elsewhere it fails the module that asked, as any defect.
type indexReadError struct{ err error }

func (e indexReadError) Error() string { return "Manifest index: " + e.err.Error() }
func (e indexReadError) Unwrap() error { return e.err }

// recoverIndex turns an indexReadError panic into *err.
func recoverIndex(err *error) {
	if r := recover(); r != nil {
		ie, ok := r.(indexReadError)
		if !ok {
			panic(r)
		}
		*err = ie
	}
}

// read fills dst from f at off: from memory, or through the cache.
func (x *index) read(f *indexFile, off int64, dst []byte) {
	if f.inMemory() {
		if off+int64(len(dst)) > int64(len(f.mem)) {
			panic(indexReadError{fmt.Errorf("%s: %w", f.Name(), io.ErrUnexpectedEOF)})
		}
		copy(dst, f.mem[off:])
		return
	}
	if err := x.cache.read(f, off, dst); err != nil {
		panic(indexReadError{fmt.Errorf("%s: %w", f.Name(), err)})
	}
}

// str returns the arena string of r: the arena's own bytes while it is
// in memory (written once by build and never changed after, so the string
// may share them: no copy, no allocation), else a copy.
func (x *index) str(r ref) string {
	if r.n == 0 {
		return ""
	}
	if f := x.arena; f.inMemory() {
		end := int64(r.off) + int64(r.n)
		if end > int64(len(f.mem)) {
			panic(indexReadError{fmt.Errorf("%s: %w", f.Name(), io.ErrUnexpectedEOF)})
		}
		return unsafe.String(&f.mem[r.off], int(r.n))
	}
	b := make([]byte, r.n)
	x.read(x.arena, int64(r.off), b)
	return unsafe.String(&b[0], len(b))
}

// bytesOf returns the arena bytes of r, read into buf's storage.
func (x *index) bytesOf(r ref, buf []byte) []byte {
	if cap(buf) < int(r.n) {
		buf = make([]byte, r.n)
	}
	buf = buf[:r.n]
	x.read(x.arena, int64(r.off), buf)
	return buf
}

// rec returns record i.
func (x *index) rec(i int) packedRecord {
	var b [recSize]byte
	x.read(x.recs, int64(i)*recSize, b[:])
	return decodeRecord(b[:])
}

// node returns node i.
func (x *index) node(i int) packedNode {
	var b [nodeSize]byte
	x.read(x.nodes, int64(i)*nodeSize, b[:])
	return decodeNode(b[:])
}

// relPath is the relative path of a record whose path is path.
func (x *index) relPath(p *packedRecord, path string) string {
	dom := x.domains[p.domain]
	if len(path) <= len(dom) {
		return ""
	}
	return path[len(dom)+1:]
}

// record materializes record i.
func (x *index) record(i int) Record {
	p := x.rec(i)
	return x.recordOf(&p, x.str)
}

// recordOf materializes p, its strings read by str.
func (x *index) recordOf(p *packedRecord, str func(ref) string) Record {
	path := str(p.path)
	return Record{
		FileID: str(p.id), Domain: x.domains[p.domain], RelativePath: x.relPath(p, path), path: path,
		Flags: int(p.flags), Mode: p.mode, Size: p.mb.size,
		Birth: unixTime(p.mb.birth), Modified: unixTime(p.mb.modified), StatusChange: unixTime(p.mb.statusChange),
		ProtectionClass: p.mb.protection, InodeNumber: p.mb.inode, UserID: p.mb.uid, GroupID: p.mb.gid,
		Target: str(p.target), Err: str(p.err),
	}
}

func unixTime(n int64) time.Time {
	if n <= 0 {
		return time.Time{}
	}
	return model.FromUnixSeconds(float64(n))
}

// each calls fn with every record in order, reading the records and their
// strings sequentially (not through the cache: a pass over every record
// would evict what the lookups keep there). str reads a string of the
// current record.
func (x *index) each(fn func(i int, p *packedRecord, str func(ref) string) bool) {
	if x.nrec == 0 {
		return
	}
	if x.recs.inMemory() && x.arena.inMemory() {
		x.eachInMemory(fn)
		return
	}
	recs := bufio.NewReaderSize(io.NewSectionReader(x.recs, 0, int64(x.nrec)*recSize), 64<<10)
	seq := &seqArena{x: x, r: bufio.NewReaderSize(io.NewSectionReader(x.arena, 0, math.MaxInt64), 64<<10)}
	var b [recSize]byte
	var p packedRecord // one for every record: fn gets its address, which made one heap copy per record
	str := seq.str     // one method value: made in the call, it was an allocation per record
	for i := range x.nrec {
		if _, err := io.ReadFull(recs, b[:]); err != nil {
			panic(indexReadError{fmt.Errorf("%s: %w", x.recs.Name(), err)})
		}
		p = decodeRecord(b[:])
		if !fn(i, &p, str) {
			return
		}
	}
}

// eachInMemory is each over records and arena held in memory: records
// decoded in place and strings shared with the arena, without the two
// 64 KiB read buffers.
func (x *index) eachInMemory(fn func(i int, p *packedRecord, str func(ref) string) bool) {
	mem := x.recs.mem
	var p packedRecord
	str := x.str
	for i := range x.nrec {
		off := i * recSize
		if off+recSize > len(mem) {
			panic(indexReadError{fmt.Errorf("%s: %w", x.recs.Name(), io.ErrUnexpectedEOF)})
		}
		p = decodeRecord(mem[off : off+recSize])
		if !fn(i, &p, str) {
			return
		}
	}
}

// seqArena reads arena strings that come in increasing order (the arena
// holds each record's strings in record order) from one buffered reader;
// any other string is read through the cache.
type seqArena struct {
	x   *index
	r   *bufio.Reader
	pos int64
}

func (s *seqArena) str(r ref) string {
	if r.n == 0 {
		return ""
	}
	off := int64(r.off)
	if off < s.pos || off-s.pos > 1<<16 {
		return s.x.str(r)
	}
	b := make([]byte, r.n)
	_, err := s.r.Discard(int(off - s.pos))
	if err == nil {
		_, err = io.ReadFull(s.r, b)
	}
	if err != nil {
		panic(indexReadError{fmt.Errorf("%s: %w", s.x.arena.Name(), err)})
	}
	s.pos = off + int64(r.n)
	return unsafe.String(&b[0], len(b))
}

// lookup returns the node of an FS path other than ".".
func (x *index) lookup(name string) (int, packedNode, bool) {
	var buf []byte
	i := x.search(name, &buf)
	if i < x.nnode {
		n := x.node(i)
		buf = x.bytesOf(n.path, buf)
		if string(buf) == name {
			return i, n, true
		}
	}
	return i, packedNode{}, false
}

// search returns the first node whose path is not below s (bytes order).
func (x *index) search(s string, buf *[]byte) int { return x.bisect(0, x.nnode, s, buf) }

// bisect returns the first node in [lo, hi) whose path is not below s,
// or hi.
func (x *index) bisect(lo, hi int, s string, buf *[]byte) int {
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		*buf = x.bytesOf(x.node(m).path, *buf)
		if string(*buf) < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// searchFrom is search for an s above the path of node from-1: it looks
// at nodes from, from+1, from+3, from+7... before the binary search, so
// that skipping a subtree costs the logarithm of its size rather than of
// the whole index (listing the root of a backup of hundreds of domains
// skips each domain's subtree).
func (x *index) searchFrom(from int, s string, buf *[]byte) int {
	lo, hi, step := from, from, 1
	for hi < x.nnode {
		*buf = x.bytesOf(x.node(hi).path, *buf)
		if string(*buf) >= s {
			break
		}
		lo, hi, step = hi+1, hi+step, step*2
	}
	return x.bisect(lo, min(hi, x.nnode), s, buf)
}

// child is a node under a folder, with its path.
type child struct {
	path string
	n    packedNode
}

// children returns the nodes directly under the folder name ("." for the
// root), in name order. Descendants deeper down are skipped a subtree at
// a time.
func (x *index) children(name string) []child {
	prefix := ""
	if name != "." {
		prefix = name + "/"
	}
	var buf []byte
	i := x.search(prefix, &buf)
	var out []child
	for i < x.nnode {
		n := x.node(i)
		p := x.str(n.path)
		if !strings.HasPrefix(p, prefix) {
			break
		}
		rest := p[len(prefix):]
		slash := strings.IndexByte(rest, '/')
		if slash < 0 {
			out = append(out, child{p, n})
			i++
			continue
		}
		// A deeper path whose folder has no node of its own cannot
		// happen (build adds every parent), but skip its subtree
		// either way: every path under prefix+rest[:slash]+"/" sorts
		// before prefix+rest[:slash]+"0".
		i = x.searchFrom(i+1, prefix+rest[:slash]+"0", &buf)
	}
	return out
}

// close removes the index files.
func (x *index) close() error {
	if x.dir == nil {
		return nil
	}
	var errs []error
	for _, f := range []*indexFile{x.arena, x.recs, x.nodes} {
		if f != nil {
			errs = append(errs, f.close())
		}
	}
	errs = append(errs, x.dir.remove())
	x.dir, x.arena, x.recs, x.nodes, x.nrec, x.nnode = nil, nil, nil, nil, 0, 0
	return errors.Join(errs...)
}

func encodeRecord(b []byte, p *packedRecord) {
	le := binary.LittleEndian
	for k, r := range [5]ref{p.path, p.id, p.target, p.err, p.key} {
		le.PutUint32(b[k*8:], r.off)
		le.PutUint32(b[k*8+4:], r.n)
	}
	le.PutUint32(b[40:], p.domain)
	le.PutUint32(b[44:], p.mode)
	for k, v := range [9]int64{p.flags, p.mb.size, p.mb.birth, p.mb.modified, p.mb.statusChange, p.mb.protection, p.mb.inode, p.mb.uid, p.mb.gid} {
		le.PutUint64(b[48+k*8:], uint64(v))
	}
}

func decodeRecord(b []byte) packedRecord {
	le := binary.LittleEndian
	var r [5]ref
	for k := range r {
		r[k] = ref{le.Uint32(b[k*8:]), le.Uint32(b[k*8+4:])}
	}
	var v [9]int64
	for k := range v {
		v[k] = int64(le.Uint64(b[48+k*8:]))
	}
	return packedRecord{path: r[0], id: r[1], target: r[2], err: r[3], key: r[4],
		domain: le.Uint32(b[40:]), mode: le.Uint32(b[44:]), flags: v[0],
		mb: mbFields{size: v[1], birth: v[2], modified: v[3], statusChange: v[4], protection: v[5], inode: v[6], uid: v[7], gid: v[8]}}
}

func encodeNode(b []byte, n *packedNode) {
	le := binary.LittleEndian
	le.PutUint32(b[0:], n.path.off)
	le.PutUint32(b[4:], n.path.n)
	le.PutUint32(b[8:], uint32(n.rec))
	b[12] = byte(n.kind)
	b[13] = 0
	if n.link {
		b[13] = 1
	}
}

func decodeNode(b []byte) packedNode {
	le := binary.LittleEndian
	return packedNode{path: ref{le.Uint32(b[0:]), le.Uint32(b[4:])}, rec: int32(le.Uint32(b[8:])), kind: nodeKind(b[12]), link: b[13] == 1}
}

// validFSPath reports whether a record path is an FS path of its own.
func validFSPath(p string) bool { return fs.ValidPath(p) && p != "." && !isRootFile(p) }

// spillBudget bounds the memory of each sorted run of the build.
const spillBudget = 4 << 20

// builder writes an index: records are added in any order, then build
// sorts them and writes the three files.
type builder struct {
	x        *index
	tempDir  string // where the sorted runs go
	domains  map[string]uint32
	recs     heldSorter[recItem]
	strBytes int // the bytes of the records' strings in the arena, path as "domain/rel"
}

// holdBudget bounds the items a heldSorter holds in memory, by their
// Codec.Size (a variable for the tests).
var holdBudget = spillBudget

// heldSorter sorts items as a spill.Sorter does (by the codec's Compare,
// equal items in the order added), holding them in memory, in chunks of
// heldChunk that are never copied, while they fit holdBudget (the index
// of a backup of a few thousand files), and through the sorter past it:
// in a spill.Sorter MVT's sample's 3,721 records (0.65 MB) cost 1.3 MB of
// buffer grown by doubling and 0.6 MB of sorted copy.
type heldSorter[T any] struct {
	codec   spill.Codec[T]
	tempDir string
	chunks  [][]T
	n, size int
	sorter  *spill.Sorter[T] // nil while the items are held
}

const heldChunk = 256

// add adds *v, whose Codec.Size is size (computed by the caller: through
// the codec's function value v would move to the heap).
func (h *heldSorter[T]) add(v *T, size int) error {
	if h.sorter == nil {
		if h.size+size <= holdBudget {
			if h.n%heldChunk == 0 {
				h.chunks = append(h.chunks, make([]T, 0, heldChunk))
			}
			c := &h.chunks[len(h.chunks)-1]
			*c = append(*c, *v)
			h.n++
			h.size += size
			return nil
		}
		h.sorter = spill.New(h.tempDir, spillBudget, h.codec) // the held items first, in the order added
		for _, c := range h.chunks {
			if err := h.sorter.AddAll(c); err != nil {
				return err
			}
		}
		h.chunks = nil
	}
	return h.sorter.Add(*v)
}

// len is the number of items added.
func (h *heldSorter[T]) len() int {
	if h.sorter == nil {
		return h.n
	}
	return h.sorter.Len()
}

func (h *heldSorter[T]) at(i int32) *T { return &h.chunks[i/heldChunk][i%heldChunk] }

// each calls fn with the items in order. A held item is handed itself,
// not a copy: the builder only reads them.
func (h *heldSorter[T]) each(fn func(*T) error) error {
	if h.sorter != nil {
		return h.sorter.Each(fn)
	}
	order := make([]int32, h.n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := h.codec.Compare(h.at(a), h.at(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for _, i := range order {
		if err := fn(h.at(i)); err != nil {
			return err
		}
	}
	return nil
}

// close drops the items (and the sorter's runs).
func (h *heldSorter[T]) close() {
	h.chunks, h.n, h.size = nil, 0, 0
	if h.sorter != nil {
		h.sorter.Close()
	}
}

// recItem is a record while the index is built.
type recItem struct {
	domain, rel, id, target, err, key string
	flags                             int64
	mode                              uint32
	mb                                mbFields
}

var recCodec = spill.Codec[recItem]{
	Append: func(b []byte, r *recItem) []byte {
		for _, s := range [6]string{r.domain, r.rel, r.id, r.target, r.err, r.key} {
			b = spill.AppendString(b, s)
		}
		for _, v := range [10]int64{r.flags, int64(r.mode), r.mb.size, r.mb.birth, r.mb.modified, r.mb.statusChange, r.mb.protection, r.mb.inode, r.mb.uid, r.mb.gid} {
			b = spill.AppendInt(b, v)
		}
		return b
	},
	Decode: func(b []byte, r *recItem) error {
		d := spill.NewDecoder(b)
		*r = recItem{domain: d.String(), rel: d.String(), id: d.String(), target: d.String(), err: d.String(), key: d.String(),
			flags: d.Int(), mode: uint32(d.Int())}
		r.mb = mbFields{size: d.Int(), birth: d.Int(), modified: d.Int(), statusChange: d.Int(), protection: d.Int(), inode: d.Int(), uid: d.Int(), gid: d.Int()}
		return d.Err()
	},
	Compare: func(a, b *recItem) int {
		if c := strings.Compare(a.domain, b.domain); c != 0 {
			return c
		}
		if c := strings.Compare(a.rel, b.rel); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	},
	Size:      recItemSize,
	RoundTrip: true, // TestBuildCodecsRoundTrip
}

// recItemSize is a record's Codec.Size (called directly by add: through
// the codec's function value, its argument would move to the heap).
func recItemSize(r *recItem) int {
	return 6*16 + 10*8 + len(r.rel) + len(r.id) + len(r.target) + len(r.err) + len(r.key)
}

// nodeItem is an FS path while the index is built: a record's, a root
// file's, or (parent) a folder above one of them.
type nodeItem struct {
	path   string
	n      packedNode
	parent bool
}

var nodeCodec = spill.Codec[nodeItem]{
	Append: func(b []byte, it *nodeItem) []byte {
		b = spill.AppendString(b, it.path)
		var e [nodeSize]byte
		encodeNode(e[:], &it.n)
		b = append(b, e[:]...)
		if it.parent {
			return append(b, 1)
		}
		return append(b, 0)
	},
	Decode: func(b []byte, it *nodeItem) error {
		if len(b) < nodeSize+1 {
			return errors.New("short node item")
		}
		rest := b[len(b)-nodeSize-1:]
		d := spill.NewDecoder(b[:len(b)-nodeSize-1])
		it.path = d.String()
		it.n, it.parent = decodeNode(rest), rest[nodeSize] == 1
		return d.Err()
	},
	Compare:   func(a, b *nodeItem) int { return strings.Compare(a.path, b.path) },
	Size:      nodeItemSize,
	RoundTrip: true, // TestBuildCodecsRoundTrip
}

// nodeItemSize is a node's Codec.Size.
func nodeItemSize(it *nodeItem) int { return 16 + nodeSize + 8 + len(it.path) }

// addNode adds a node item to the nodes being sorted.
func addNode(nodes *heldSorter[nodeItem], it nodeItem) error {
	return nodes.add(&it, nodeItemSize(&it))
}

// newBuilder starts an index whose files, when they outgrow memory, and
// sorted runs go under tempDir ("" for the system's temporary folder).
func newBuilder(tempDir string) *builder {
	dir := &indexDir{parent: tempDir}
	x := &index{dir: dir, cache: newPageCache(),
		arena: &indexFile{name: "arena", dir: dir}, recs: &indexFile{name: "recs", dir: dir}, nodes: &indexFile{name: "nodes", dir: dir}}
	return &builder{x: x, tempDir: tempDir, domains: map[string]uint32{}, recs: heldSorter[recItem]{codec: recCodec, tempDir: tempDir}}
}

// add adds a Manifest row whose MBFile blob is decoded into m.
func (bd *builder) add(id, domain, rel string, flags int64, m mbFile) error {
	d, ok := bd.domains[domain]
	if !ok {
		d = uint32(len(bd.x.domains))
		bd.x.domains = append(bd.x.domains, domain)
		bd.domains[domain] = d
	}
	bd.strBytes += len(domain) + 1 + len(rel) + len(id) + len(m.target) + len(m.err) + len(m.key)
	r := recItem{domain: bd.x.domains[d], rel: rel, id: id, target: m.target, err: m.err, key: string(m.key),
		flags: flags, mode: m.mode, mb: m.fields}
	return bd.recs.add(&r, recItemSize(&r))
}

// discard removes what the builder wrote (an open that failed).
func (bd *builder) discard() {
	bd.recs.close()
	bd.x.close()
}

// build writes the records in order with their strings, then the FS paths:
// the root files present (names), one node per distinct valid record path,
// and a folder for every parent that no record describes. Where several
// records share a path, the first in Records order is the node; a path
// that has descendants is a folder, with the first folder record of that
// path, if any. On success the index is ready and the builder's runs are
// gone.
func (bd *builder) build(ctx context.Context, rootFiles []string) (*index, error) {
	x := bd.x
	defer bd.recs.close()
	nodes := &heldSorter[nodeItem]{codec: nodeCodec, tempDir: bd.tempDir}
	defer nodes.close()
	n := bd.recs.len()
	x.recs.reserve(n * recSize)
	x.nodes.reserve((n + len(rootFiles)) * nodeSize) // and the folders no record describes, if any
	x.arena.reserve(bd.strBytes)                     // and the root files' names
	arena := newArenaWriter(x.arena)
	recs := bufio.NewWriterSize(x.recs, 64<<10)
	var prev string // the previous record path: its parents were added already
	var enc [recSize]byte
	err := bd.recs.each(func(r *recItem) error {
		if x.nrec >= math.MaxInt32 {
			return errIndexTooLarge
		}
		if x.nrec%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		p := packedRecord{domain: bd.domains[r.domain], mode: r.mode, flags: r.flags, mb: r.mb}
		path := r.domain
		if r.rel != "" {
			path = r.domain + "/" + r.rel
		}
		// Each string in turn, without a list of the fields' addresses:
		// that list moved p to the heap (an allocation per record).
		var err error
		if p.path, err = arena.put(path); err != nil {
			return err
		}
		if p.id, err = arena.put(r.id); err != nil {
			return err
		}
		if p.target, err = arena.put(r.target); err != nil {
			return err
		}
		if p.err, err = arena.put(r.err); err != nil {
			return err
		}
		if p.key, err = arena.put(r.key); err != nil {
			return err
		}
		encodeRecord(enc[:], &p)
		if _, err := recs.Write(enc[:]); err != nil {
			return err
		}
		i := x.nrec
		x.nrec++
		if !validFSPath(path) {
			x.skipped++
			return nil
		}
		k := nodeFile
		if r.flags == flagDir {
			k = nodeDir
		}
		if err := addNode(nodes, nodeItem{path: path, n: packedNode{path: p.path, rec: int32(i), kind: k, link: r.flags == flagSymlink}}); err != nil {
			return err
		}
		err = addParents(nodes, path, p.path, prev)
		prev = path
		return err
	})
	for _, name := range rootFiles {
		if err != nil {
			break
		}
		var r ref
		if r, err = arena.put(name); err == nil {
			err = addNode(nodes, nodeItem{path: name, n: packedNode{path: r, rec: -1, kind: nodeRootFile}})
		}
	}
	if err == nil {
		err = errors.Join(arena.flush(), recs.Flush())
	}
	if err == nil {
		err = x.writeNodes(ctx, nodes)
	}
	if err != nil {
		return nil, err
	}
	return x, nil
}

// addParents adds the folders above path (whose arena reference is r) as
// parent items, but those of prev's that it shares: they were added with
// prev (duplicates are merged when the nodes are written).
func addParents(nodes *heldSorter[nodeItem], path string, r ref, prev string) error {
	for i := strings.LastIndexByte(path, '/'); i > 0; i = strings.LastIndexByte(path[:i], '/') {
		if len(prev) > i && prev[i] == '/' && prev[:i] == path[:i] {
			break
		}
		if err := addNode(nodes, nodeItem{path: path[:i], n: packedNode{path: ref{r.off, uint32(i)}, rec: -1, kind: nodeDir}, parent: true}); err != nil {
			return err
		}
	}
	return nil
}

// writeNodes writes the merged nodes: one per distinct path.
func (x *index) writeNodes(ctx context.Context, nodes *heldSorter[nodeItem]) error {
	w := bufio.NewWriterSize(x.nodes, 64<<10)
	var (
		cur                    string
		sample, first, dir     packedNode
		have, haveFirst, isDir bool
		parent                 bool
		enc                    [nodeSize]byte
	)
	emit := func() error {
		if !have {
			return nil
		}
		n := first
		if parent { // a folder: its first folder record, or one of its own
			n = packedNode{path: sample.path, rec: -1, kind: nodeDir}
			if isDir {
				n = dir
			}
		}
		encodeNode(enc[:], &n)
		x.nnode++
		_, err := w.Write(enc[:])
		return err
	}
	err := nodes.each(func(it *nodeItem) error {
		if x.nnode%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if !have || it.path != cur {
			if err := emit(); err != nil {
				return err
			}
			cur, sample, have, haveFirst, isDir, parent = it.path, it.n, true, false, false, false
		}
		switch {
		case it.parent:
			parent = true
		case !haveFirst:
			first, haveFirst = it.n, true
			fallthrough
		default:
			if it.n.kind == nodeDir && !isDir {
				dir, isDir = it.n, true
			}
		}
		return nil
	})
	if err == nil {
		err = emit()
	}
	if err == nil {
		err = w.Flush()
	}
	return err
}
