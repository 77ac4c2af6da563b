package indicators

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/match"
)

// The embedded snapshot is not parsed at start-up: its STIX bundles (in
// snapshot/, with their licenses) are compiled once into compiled/snapshot.idx,
// which the binary embeds: its sources and notes, then the indicators as a
// match stored index (match.Encode), which look-ups read in place, decoding
// only the entries they hit. Regenerate it
// after changing snapshot/ with
//
//	go generate ./internal/indicators
//
// TestCompiledSnapshotIsCurrent fails when it no longer matches the sources.

//go:generate go run ./cmd/gen-snapshot-index -snapshot snapshot -out compiled/snapshot.idx

const compiledMagic = "spyscan-indicators-2\n"

// compiledSet is what the snapshot compiles to.
type compiledSet struct {
	Sources    []Source
	Indicators []match.Indicator // encoded; decoding leaves it nil (see Stored)
	Notes      []string
	Stored     *match.Stored // decoded: the indicators and their index, read in place
}

// CompileSnapshot parses the STIX snapshot under fsys (a folder laid out as
// snapshot/: sources.json and one folder per source) and returns its
// compiled form.
func CompileSnapshot(ctx context.Context, fsys fs.FS) ([]byte, error) {
	set := &Set{}
	src, err := parseSnapshot(ctx, fsys, set)
	if err != nil {
		return nil, err
	}
	return encodeCompiled(compiledSet{Sources: src, Indicators: set.Indicators, Notes: set.Notes}), nil
}

// encodeCompiled writes a string table (every distinct string once), then
// the sources and notes as varints referring to it, then the indicators as
// a stored index (its own string table).
func encodeCompiled(c compiledSet) []byte {
	e := &encoder{ids: map[string]uint64{}}
	e.uint(uint64(len(c.Sources)))
	for _, s := range c.Sources {
		e.strs(s.Name, string(s.Kind), s.Title, s.Origin, s.Commit, s.Date, s.License)
		e.uint(uint64(len(s.Files)))
		for _, f := range s.Files {
			e.strs(f.Path, f.SHA256, f.URL, f.Downloaded)
			e.uint(uint64(f.Indicators))
			e.list(f.Families)
			types := make([]string, 0, len(f.Counts))
			for t := range f.Counts {
				types = append(types, string(t))
			}
			sort.Strings(types)
			e.uint(uint64(len(types)))
			for _, t := range types {
				e.str(t)
				e.uint(uint64(f.Counts[match.Type(t)]))
			}
		}
	}
	e.list(c.Notes)
	var out bytes.Buffer
	out.WriteString(compiledMagic)
	out.Write(binary.AppendUvarint(nil, uint64(len(e.table))))
	for _, s := range e.table {
		out.Write(binary.AppendUvarint(nil, uint64(len(s))))
		out.WriteString(s)
	}
	out.Write(e.body)
	out.Write(match.Encode(c.Indicators))
	return out.Bytes()
}

type encoder struct {
	ids   map[string]uint64
	table []string
	body  []byte
}

func (e *encoder) uint(v uint64) { e.body = binary.AppendUvarint(e.body, v) }

func (e *encoder) str(s string) {
	id, ok := e.ids[s]
	if !ok {
		id = uint64(len(e.table))
		e.ids[s] = id
		e.table = append(e.table, s)
	}
	e.uint(id)
}

func (e *encoder) strs(ss ...string) {
	for _, s := range ss {
		e.str(s)
	}
}

// list writes a string slice; nil and empty are kept apart (count+1, 0 for nil).
func (e *encoder) list(ss []string) {
	if ss == nil {
		e.uint(0)
		return
	}
	e.uint(uint64(len(ss)) + 1)
	e.strs(ss...)
}

var errCompiled = errors.New("compiled indicator snapshot is corrupt")

type decoder struct {
	s     string // read in place: the table's strings are substrings of it
	table []string
	err   error
}

func (d *decoder) uint() uint64 {
	var v uint64
	for i := 0; i < len(d.s) && i < binary.MaxVarintLen64; i++ {
		c := d.s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break // overflows 64 bits
			}
			d.s = d.s[i+1:]
			return v | uint64(c)<<(7*i)
		}
		v |= uint64(c&0x7f) << (7 * i)
	}
	d.err, d.s = errCompiled, ""
	return 0
}

// count reads a length, bounded by the bytes left (each item takes one at least).
func (d *decoder) count() int {
	n := d.uint()
	if n > uint64(len(d.s)) {
		d.err, d.s = errCompiled, ""
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	id := d.uint()
	if id >= uint64(len(d.table)) {
		d.err, d.s = errCompiled, ""
		return ""
	}
	return d.table[id]
}

func (d *decoder) list() []string {
	n := d.uint()
	if n == 0 {
		return nil
	}
	if n-1 > uint64(len(d.s)) {
		d.err, d.s = errCompiled, ""
		return nil
	}
	out := make([]string, n-1)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// decodeCompiled reads what encodeCompiled wrote. Its strings are
// substrings of s, not copies, and the indicators are not decoded: the
// stored index reads them in place (the embedded snapshot is opened at
// every start).
func decodeCompiled(s string) (compiledSet, error) {
	var c compiledSet
	if !strings.HasPrefix(s, compiledMagic) {
		return c, fmt.Errorf("%w: bad header", errCompiled)
	}
	d := &decoder{s: s[len(compiledMagic):]}
	d.table = make([]string, d.count())
	for i := range d.table {
		n := d.count()
		if d.err != nil {
			return c, d.err
		}
		d.table[i] = d.s[:n]
		d.s = d.s[n:]
	}
	c.Sources = make([]Source, d.count())
	for i := range c.Sources {
		s := &c.Sources[i]
		s.Name, s.Kind, s.Title, s.Origin, s.Commit, s.Date, s.License = d.str(), Kind(d.str()), d.str(), d.str(), d.str(), d.str(), d.str()
		s.Files = make([]File, d.count())
		for j := range s.Files {
			f := &s.Files[j]
			f.Path, f.SHA256, f.URL, f.Downloaded = d.str(), d.str(), d.str(), d.str()
			f.Indicators = int(d.uint())
			f.Families = d.list()
			f.Counts = map[match.Type]int{}
			for range d.count() {
				t := match.Type(d.str())
				f.Counts[t] = int(d.uint())
			}
		}
	}
	c.Notes = d.list()
	if d.err != nil {
		return c, d.err
	}
	st, err := match.OpenStored(d.s)
	if err != nil {
		return c, fmt.Errorf("%w: %w", errCompiled, err)
	}
	c.Stored = st
	return c, d.err
}
