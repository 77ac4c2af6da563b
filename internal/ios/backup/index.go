package backup

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/spyscan/spyscan/internal/model"
)

// index is the Manifest index of a backup: every record of Manifest.db's
// Files table and every path of the FS, packed into a few slices without
// pointers. A backup of 100,000s of files used to hold a Go struct, a map
// entry, a node and several strings per file (about 0.75 KB a file, and
// the garbage collector scanned all of it on every cycle); packed, a file
// costs its strings plus about 140 bytes, none of it scanned.
//
// Strings live in one arena ([]byte) and are referenced by offset and
// length. The arena is appended to while the index is built and never
// changed afterwards, so the strings handed out are views of it
// (unsafe.String) rather than copies.
type index struct {
	arena   []byte
	domains []string       // distinct domains (a few dozen)
	recs    []packedRecord // sorted by domain, relative path, file id
	nodes   []packedNode   // every FS path but ".", sorted by path (bytes)
	skipped int            // records whose path is not a valid FS path
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
}

type nodeKind uint8

const (
	nodeFile nodeKind = iota
	nodeDir
	nodeRootFile
)

var errIndexTooLarge = errors.New("Manifest index larger than 4 GiB of names")

// str returns the arena string of r (a view, not a copy).
func (x *index) str(r ref) string {
	if r.n == 0 {
		return ""
	}
	return unsafe.String(&x.arena[r.off], int(r.n))
}

func (x *index) bytesOf(r ref) []byte { return x.arena[r.off : r.off+r.n : r.off+r.n] }

// put appends s to the arena.
func (x *index) put(s []byte) (ref, error) {
	if len(s) == 0 {
		return ref{}, nil
	}
	if uint64(len(x.arena))+uint64(len(s)) > math.MaxUint32 {
		return ref{}, errIndexTooLarge
	}
	r := ref{uint32(len(x.arena)), uint32(len(s))}
	x.arena = append(x.arena, s...)
	return r, nil
}

// add appends a Manifest row whose MBFile blob is decoded into m.
func (x *index) add(domains map[string]uint32, id, domain, rel []byte, flags int64, m mbFile) error {
	d, ok := domains[string(domain)]
	if !ok {
		d = uint32(len(x.domains))
		x.domains = append(x.domains, string(domain))
		domains[x.domains[d]] = d
	}
	p := packedRecord{domain: d, mode: m.mode, flags: flags, mb: m.fields}
	var err error
	start := len(x.arena)
	p.path, err = x.put(domain)
	if err == nil && len(rel) > 0 {
		_, err = x.put([]byte{'/'})
		if err == nil {
			_, err = x.put(rel)
		}
		p.path = ref{uint32(start), uint32(len(x.arena) - start)}
	}
	for _, f := range []struct {
		dst *ref
		s   []byte
	}{{&p.id, id}, {&p.target, []byte(m.target)}, {&p.err, []byte(m.err)}, {&p.key, m.key}} {
		if err != nil {
			break
		}
		*f.dst, err = x.put(f.s)
	}
	if err != nil {
		return err
	}
	x.recs = append(x.recs, p)
	return nil
}

// relPath is the record's relative path (its path after the domain).
func (x *index) relPath(p *packedRecord) string {
	path, dom := x.str(p.path), x.domains[p.domain]
	if len(path) <= len(dom) {
		return ""
	}
	return path[len(dom)+1:]
}

// record materializes recs[i] (strings are views of the arena).
func (x *index) record(i int) Record {
	p := &x.recs[i]
	return Record{
		FileID: x.str(p.id), Domain: x.domains[p.domain], RelativePath: x.relPath(p),
		Flags: int(p.flags), Mode: p.mode, Size: p.mb.size,
		Birth: unixTime(p.mb.birth), Modified: unixTime(p.mb.modified), StatusChange: unixTime(p.mb.statusChange),
		ProtectionClass: p.mb.protection, InodeNumber: p.mb.inode, UserID: p.mb.uid, GroupID: p.mb.gid,
		Target: x.str(p.target), Err: x.str(p.err),
	}
}

func unixTime(n int64) time.Time {
	if n <= 0 {
		return time.Time{}
	}
	return model.FromUnixSeconds(float64(n))
}

// sortRecords puts the records in Records order: domain, relative path,
// file id.
func (x *index) sortRecords() {
	slices.SortFunc(x.recs, func(a, b packedRecord) int {
		if c := strings.Compare(x.domains[a.domain], x.domains[b.domain]); c != 0 {
			return c
		}
		if c := strings.Compare(x.relPath(&a), x.relPath(&b)); c != 0 {
			return c
		}
		return bytes.Compare(x.bytesOf(a.id), x.bytesOf(b.id))
	})
}

// buildTree makes the FS paths: the root files present (names), one node
// per distinct valid record path, and a folder for every parent that no
// record describes. Where several records share a path, the first in
// Records order is the node; a path that has descendants is a folder, with
// the first folder record of that path, if any.
func (x *index) buildTree(rootFiles []string) error {
	x.nodes = x.nodes[:0]
	for _, name := range rootFiles {
		r, err := x.put([]byte(name))
		if err != nil {
			return err
		}
		x.nodes = append(x.nodes, packedNode{path: r, rec: -1, kind: nodeRootFile})
	}
	if len(x.recs) > math.MaxInt32 {
		return errIndexTooLarge
	}
	// The arena is final from here on.
	for i := range x.recs {
		p := x.str(x.recs[i].path)
		if !fs.ValidPath(p) || p == "." || isRootFile(p) {
			x.skipped++
			continue
		}
		k := nodeFile
		if x.recs[i].flags == flagDir {
			k = nodeDir
		}
		x.nodes = append(x.nodes, packedNode{path: x.recs[i].path, rec: int32(i), kind: k})
	}
	slices.SortStableFunc(x.nodes, func(a, b packedNode) int { return strings.Compare(x.str(a.path), x.str(b.path)) })
	parents := x.parents()
	out := x.nodes[:0]
	for i := 0; i < len(x.nodes); {
		j := i + 1
		for j < len(x.nodes) && x.str(x.nodes[j].path) == x.str(x.nodes[i].path) {
			j++
		}
		n := x.nodes[i]
		if _, ok := parents[x.str(n.path)]; ok {
			delete(parents, x.str(n.path))
			n = packedNode{path: n.path, rec: -1, kind: nodeDir}
			for _, m := range x.nodes[i:j] {
				if m.kind == nodeDir {
					n = m
					break
				}
			}
		}
		out = append(out, n)
		i = j
	}
	for _, r := range parents {
		out = append(out, packedNode{path: r, rec: -1, kind: nodeDir})
	}
	slices.SortFunc(out, func(a, b packedNode) int { return strings.Compare(x.str(a.path), x.str(b.path)) })
	x.nodes = slices.Clip(out)
	return nil
}

// parents returns every proper ancestor folder of the nodes (but "."), each
// as a prefix of one of its descendants' paths.
func (x *index) parents() map[string]ref {
	parents := map[string]ref{}
	for _, n := range x.nodes {
		p := x.str(n.path)
		for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
			if _, ok := parents[p[:i]]; ok {
				break
			}
			parents[p[:i]] = ref{n.path.off, uint32(i)}
		}
	}
	return parents
}

// lookup returns the node of an FS path other than ".".
func (x *index) lookup(name string) (int, bool) {
	return slices.BinarySearchFunc(x.nodes, name, func(n packedNode, s string) int { return strings.Compare(x.str(n.path), s) })
}

// children returns the nodes directly under the folder name ("." for the
// root), in name order. Descendants deeper down are skipped a subtree at
// a time.
func (x *index) children(name string) []int {
	prefix := ""
	if name != "." {
		prefix = name + "/"
	}
	i, _ := slices.BinarySearchFunc(x.nodes, prefix, func(n packedNode, s string) int { return strings.Compare(x.str(n.path), s) })
	var out []int
	for i < len(x.nodes) {
		p := x.str(x.nodes[i].path)
		if !strings.HasPrefix(p, prefix) {
			break
		}
		rest := p[len(prefix):]
		slash := strings.IndexByte(rest, '/')
		if slash < 0 {
			out = append(out, i)
			i++
			continue
		}
		// A deeper path whose folder has no node of its own cannot
		// happen (buildTree adds every parent), but skip its subtree
		// either way: every path under prefix+rest[:slash]+"/" sorts
		// before prefix+rest[:slash]+"0".
		end := prefix + rest[:slash] + "0"
		j, _ := slices.BinarySearchFunc(x.nodes[i:], end, func(n packedNode, s string) int { return strings.Compare(x.str(n.path), s) })
		i += max(j, 1)
	}
	return out
}
