package match

import (
	"encoding/binary"
	"maps"
	"math/bits"
	"slices"

	"github.com/spyscan/spyscan/internal/model"
)

// Encode indexes inds with NewIndex and writes the list and the index as a
// stored index (see stored.go), the same bytes for the same list.
func Encode(inds []Indicator) []byte { return encode(nil, inds) }

// EncodeOver is Encode of inds layered over base (nil: Encode): the tables
// hold the entries of inds' values, each merged with base's entry of the
// same value as NewIndex over base's list then inds would merge them, and
// the counts are those of both. OpenStoredOver opens it over the same base,
// and it then matches as NewIndex over both lists; only inds are stored.
func EncodeOver(base *Stored, inds []Indicator) []byte {
	if base == nil {
		return encode(nil, inds)
	}
	return encode(base.st, inds)
}

func encode(base *stored, inds []Indicator) []byte {
	ix, rejects := newIndex(base, inds)
	e := &storedEncoder{strIDs: map[string]uint32{}, provIDs: map[string]uint32{}, entryIDs: map[*entry]uint32{}}
	e.strOff = []uint32{0}
	if base != nil {
		e.baseStrings(base)
	}
	code := map[Type]uint32{}
	for i, t := range storedTypes {
		code[t] = uint32(i)
	}
	e.code = code
	indWords := e.indicators(inds)
	rejectWords := e.indicators(rejects)
	var tabs [nTables][]uint32
	tabs[tabDomains] = e.table(ix.domains, nil)
	tabs[tabWWWBare] = e.table(ix.wwwBare, nil)
	tabs[tabDomainPaths] = e.pathTable(ix.domainPaths)
	ips := make(map[string]*entry, len(ix.ips))
	for a, en := range ix.ips {
		k := ipKey(a)
		ips[string(k[:])] = en
	}
	tabs[tabIPs] = e.table(ips, nil)
	tabs[tabURLs] = e.table(ix.urls, nil)
	tabs[tabEmails] = e.table(ix.emails, nil)
	tabs[tabProcs] = e.table(ix.procs, nil)
	for i := range ix.procTrunc {
		tabs[tabTrunc15+i] = e.table(nil, ix.procTrunc[i])
	}
	tabs[tabFileNames] = e.table(ix.fileNames, nil)
	tabs[tabFilePaths] = e.table(ix.filePaths, nil)
	for i, t := range exactTypes {
		tabs[tabExact+i] = e.table(ix.exact[t], nil)
	}
	hdr := []uint32{uint32(ix.total), 0, uint32(len(storedTypes))}
	if ix.singleLabel {
		hdr[1] |= flagSingleLabel
	}
	for _, t := range storedTypes {
		hdr = append(hdr, uint32(ix.count[t]))
	}
	if base != nil {
		hdr[1] |= flagLayered
		hdr = append(hdr, uint32(base.total), uint32(base.size), e.strBase)
	}
	var lens []uint32
	for _, w := range ix.pathLens {
		lens = append(lens, uint32(w), uint32(w>>32))
	}
	out := []byte(storedMagic)
	words := func(ws []uint32) {
		out = binary.LittleEndian.AppendUint32(out, uint32(len(ws)))
		for _, w := range ws {
			out = binary.LittleEndian.AppendUint32(out, w)
		}
	}
	words(hdr)
	words(e.strOff)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(e.strBytes)))
	out = append(out, e.strBytes...)
	words(e.prov)
	words(e.lists)
	words(e.entries)
	words(indWords)
	words(rejectWords)
	words(lens)
	words(domFilter(ix.domains))
	for _, t := range tabs {
		words(t)
	}
	return out
}

// domFilter is the stored filter of the domain keys: as newSuffixFilter's,
// with strHash (fixed) for the seeded hash; none when there is no domain.
func domFilter(keys map[string]*entry) []uint32 {
	if len(keys) == 0 {
		return nil
	}
	n := max(uint64(len(keys))*16/64, 16)
	logn := 64 - bits.LeadingZeros64(n-1)
	words := make([]uint64, 1<<logn)
	for k := range keys {
		h := strHash(k)
		words[h>>(64-logn)] |= wordMask(h)
	}
	out := make([]uint32, 0, 2*len(words))
	for _, w := range words {
		out = append(out, uint32(w), uint32(w>>32))
	}
	return out
}

type storedEncoder struct {
	strBase  uint32 // ids below are the base's strings
	code     map[Type]uint32
	strIDs   map[string]uint32
	strOff   []uint32
	strBytes []byte
	provIDs  map[string]uint32 // an encoded provenance list → its offset
	prov     []uint32
	lists    []uint32
	entries  []uint32
	entryIDs map[*entry]uint32
}

// baseStrings makes the base's strings ids of this index: a layered
// index writes only the strings its base does not have.
func (e *storedEncoder) baseStrings(base *stored) {
	e.strBase = uint32(base.strOff.n() - 1)
	for id := range e.strBase {
		if s, ok := base.str(id); ok {
			if _, dup := e.strIDs[s]; !dup {
				e.strIDs[s] = id
			}
		}
	}
}

func (e *storedEncoder) str(s string) uint32 {
	id, ok := e.strIDs[s]
	if !ok {
		id = e.strBase + uint32(len(e.strOff)-1)
		e.strIDs[s] = id
		e.strBytes = append(e.strBytes, s...)
		e.strOff = append(e.strOff, uint32(len(e.strBytes)))
	}
	return id
}

// sources writes a provenance list once (lists are shared by content).
func (e *storedEncoder) sources(ps []model.Provenance) uint32 {
	if ps == nil {
		return e.nilSources()
	}
	ws := []uint32{uint32(len(ps)) + 1}
	for _, p := range ps {
		for _, s := range [8]string{p.Source, p.File, p.Commit, p.Date, p.URL, p.IndicatorID, p.Pattern, p.Family} {
			ws = append(ws, e.str(s))
		}
		if p.References == nil {
			ws = append(ws, 0)
			continue
		}
		ws = append(ws, uint32(len(p.References))+1)
		for _, r := range p.References {
			ws = append(ws, e.str(r))
		}
	}
	var key []byte
	for _, w := range ws {
		key = binary.LittleEndian.AppendUint32(key, w)
	}
	off, ok := e.provIDs[string(key)]
	if !ok {
		off = uint32(len(e.prov))
		e.provIDs[string(key)] = off
		e.prov = append(e.prov, ws...)
	}
	return off
}

// nilSources is the offset of a nil provenance list.
func (e *storedEncoder) nilSources() uint32 {
	off, ok := e.provIDs[""]
	if !ok {
		off = uint32(len(e.prov))
		e.provIDs[""] = off
		e.prov = append(e.prov, 0)
	}
	return off
}

// record is the three words of an indicator or entry.
func (e *storedEncoder) record(t Type, value string, partial bool, srcs []model.Provenance) []uint32 {
	c, ok := e.code[t]
	if !ok {
		c = otherType | e.str(string(t))<<9
	}
	if partial {
		c |= 1 << 8
	}
	return []uint32{c, e.str(value), e.sources(srcs)}
}

func (e *storedEncoder) indicators(inds []Indicator) []uint32 {
	var out []uint32
	for _, in := range inds {
		out = append(out, e.record(in.Type, in.Value, in.Partial, in.Sources)...)
	}
	return out
}

func (e *storedEncoder) entry(en *entry) uint32 {
	id, ok := e.entryIDs[en]
	if !ok {
		id = uint32(len(e.entries) / 3)
		e.entryIDs[en] = id
		e.entries = append(e.entries, e.record(en.typ, en.value, en.partial, en.sources)...)
	}
	return id
}

// table writes a hash table over the keys of m (payload: the entry) or of
// lists (payload: the offset of the list of entries), in key order so
// that the bytes do not depend on map order.
func (e *storedEncoder) table(m map[string]*entry, lists map[string][]*entry) []uint32 {
	if lists != nil {
		return e.slots(slices.Sorted(maps.Keys(lists)), func(k string) uint32 {
			off := uint32(len(e.lists))
			e.lists = append(e.lists, uint32(len(lists[k])))
			for _, en := range lists[k] {
				e.lists = append(e.lists, e.entry(en))
			}
			return off
		})
	}
	return e.slots(slices.Sorted(maps.Keys(m)), func(k string) uint32 { return e.entry(m[k]) })
}

func (e *storedEncoder) pathTable(m map[string][]pathPrefix) []uint32 {
	return e.slots(slices.Sorted(maps.Keys(m)), func(k string) uint32 {
		off := uint32(len(e.lists))
		e.lists = append(e.lists, uint32(len(m[k])))
		for _, pp := range m[k] {
			e.lists = append(e.lists, e.str(pp.prefix), e.entry(pp.e))
		}
		return off
	})
}

// slots lays keys out in an open-addressing table of at least twice as
// many slots (linear probing), each slot its hash's top half, key id+1
// and payload.
func (e *storedEncoder) slots(keys []string, payload func(string) uint32) []uint32 {
	if len(keys) == 0 {
		return nil
	}
	n := 1
	for n < 2*len(keys) {
		n *= 2
	}
	out := make([]uint32, 3*n)
	for _, k := range keys {
		h := strHash(k)
		i := int(h) & (n - 1)
		for out[3*i+1] != 0 {
			i = (i + 1) & (n - 1)
		}
		out[3*i], out[3*i+1], out[3*i+2] = uint32(h>>32), e.str(k)+1, payload(k)
	}
	return out
}
