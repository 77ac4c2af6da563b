package match

import (
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/spyscan/spyscan/internal/model"
)

// A stored index is an indicator list and its Index laid out in bytes that
// look-ups read in place: open-addressing hash tables of string ids over
// one string table, entries and their merged provenances decoded only when
// a look-up hits them. The embedded snapshot is one (internal/indicators
// compiles it at build time), so that a scan builds no maps at start: Open
// checks the section bounds and nothing else is read until a look-up.
// Indicators loaded at run time are indexed in maps on top of it (see
// newIndex): every look-up asks the maps first, whose entries for values
// also in the stored index were merged with the stored entry when built, so
// the layered index answers exactly as NewIndex over both lists would.
//
// A stored index can also be layered over another (EncodeOver, the update
// cache's parsed form over the embedded snapshot): its tables then hold the
// entries of its own list's values, each already merged with the base's
// entry of the same value, and a look-up asks it, then its base. Its
// header's counts are those of both; its list and rejects are its own. Its
// string ids below the base's string count are the base's strings (most of
// a merged entry's provenances are): its string table holds the others.
//
// Layout (little-endian uint32 words): the magic, then sections, each a
// word count (a byte count for the string bytes) and its words:
//
//	header     total, flags (1: singleLabel, 2: layered), len(storedTypes),
//	           the count of each type (types order), then when layered the
//	           base's total, byte length (low 32 bits) and string count
//	strOff     N+1 offsets into the string bytes (string i is bytes[off[i]:off[i+1]])
//	strBytes
//	prov       provenance lists: 0 for nil, else n+1 then per provenance its 8 string ids and
//	           its references (0 for nil, else k+1 then k string ids)
//	lists      host-path lists (n, then n pairs prefix id, entry id) and
//	           truncated-process lists (n, then n entry ids)
//	entries    3 words each: type code | partial<<8 (| name id<<9 when the
//	           code is otherType), value id, prov offset
//	inds       the indicator list as given, 3 words each like entries
//	rejects    the indicators NewIndex rejected, 3 words each
//	pathLens   the lengths bitset of the file-path keys, 2 words per uint64
//	domFilter  a blocked Bloom filter of the domain keys (as suffixFilter,
//	           with strHash), 2 words per uint64, a power of two of them
//	tables     nTables tables of 3-word slots (hash tag, key id+1, payload),
//	           a power of two of slots or none
const storedMagic = "spyscan-index-2\n"

// ErrStored is returned for a stored index that is not one or is corrupt.
var ErrStored = errors.New("stored indicator index is corrupt")

// The tables of a stored index, each the image of one of Index's maps.
const (
	tabDomains     = iota
	tabWWWBare     // bare form of "www." domains → the "www." entry
	tabDomainPaths // host → list offset of (prefix, entry) pairs
	tabIPs         // ipKey → entry
	tabURLs
	tabEmails
	tabProcs
	tabTrunc15 // first 15 characters → list offset of entries
	tabTrunc16
	tabFileNames
	tabFilePaths
	tabExact // one per exactTypes element
	nTables  = tabExact + len(exactTypes)
)

// u32s is a run of little-endian uint32 words, read in place.
type u32s string

func (a u32s) n() int { return len(a) / 4 }

// at is word i; i must be below n().
func (a u32s) at(i int) uint32 {
	s := a[4*i : 4*i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// wordReader reads words of a section from a position, flagging reads past its end.
type wordReader struct {
	a   u32s
	i   int
	bad bool
}

func (r *wordReader) next() uint32 {
	if r.i < 0 || r.i >= r.a.n() {
		r.bad = true
		return 0
	}
	v := r.a.at(r.i)
	r.i++
	return v
}

// count reads a length, bounded by the words left after it times per.
func (r *wordReader) count(per int) int {
	n := r.next()
	if r.bad || uint64(n)*uint64(per) > uint64(r.a.n()-r.i) {
		r.bad = true
		return 0
	}
	return int(n)
}

// stored is an opened stored index.
type stored struct {
	strOff   u32s
	strBytes string
	prov     u32s
	lists    u32s
	entries  u32s
	inds     u32s
	rejects  u32s
	tabs     [nTables]u32s
	pathLens lengths
	// domFilter is read in place: most domain look-ups are misses (each
	// suffix of each host), and a miss in the table costs a cache miss.
	domFilter u32s
	domShift  uint

	singleLabel bool
	total       int
	counts      []uint32 // in storedTypes order
	size        int      // of the encoded index, in bytes
	// base is the stored index under this one (EncodeOver), or nil: a
	// look-up that misses here asks it.
	base *stored
	// baseTotal and baseSize are what the header says the base is; string
	// ids below strBase are the base's strings (0 when not layered).
	baseTotal, baseSize, strBase uint32
	layered                      bool

	decoded sync.Map // entry id → *entry; listKey|offset → []*entry or []pathPrefix
}

// storedTypes are the type codes of the stored format (append only: a
// code is the position here). TestStoredTypes checks that it lists every type.
var storedTypes = [...]Type{Domain, IP, URL, Email, Process, FileName, FilePath, FileSHA256, FileSHA1, FileMD5,
	AppID, AppCertSHA256, AppCertSHA1, AppCertMD5, TLSCertSHA256, TLSCertSHA1, Profile, AndroidProperty, JA3, JA4}

// otherType is the code of a type not in storedTypes (a reject's): its
// name is string id code>>9.
const otherType = 0xff

// Header flags.
const (
	flagSingleLabel = 1
	flagLayered     = 2
)

// listKey marks a list offset in the decoded cache (entry ids are below it).
const listKey = 1 << 31

// Stored is an opened stored index: its indicator list, and an Index over
// it (with more indicators on top, if any).
type Stored struct{ st *stored }

// OpenStored opens a stored index (as Encode writes it) in place: data is
// kept and read by look-ups, never copied.
func OpenStored(data string) (*Stored, error) {
	st, err := open(data)
	if err != nil {
		return nil, err
	}
	if st.layered {
		return nil, fmt.Errorf("%w: a layered index opened without its base", ErrStored)
	}
	return &Stored{st: st}, nil
}

// OpenStoredOver opens a stored index written by EncodeOver over base, in
// place, layered over base (nil: as OpenStored). The header's note of the
// base (its total and size) must match base; the caller identifies the
// base's content (the update cache's key names the build, which embeds it).
func OpenStoredOver(data string, base *Stored) (*Stored, error) {
	if base == nil {
		return OpenStored(data)
	}
	st, err := open(data)
	if err != nil {
		return nil, err
	}
	if !st.layered || st.baseTotal != uint32(base.st.total) || st.baseSize != uint32(base.st.size) ||
		int64(st.strBase) != int64(base.st.strOff.n()-1) {
		return nil, fmt.Errorf("%w: not layered over this base", ErrStored)
	}
	st.base = base.st
	return &Stored{st: st}, nil
}

// open checks the sections of a stored index and opens it, without its base.
func open(data string) (*stored, error) {
	rest, ok := strings.CutPrefix(data, storedMagic)
	if !ok {
		return nil, fmt.Errorf("%w: bad header", ErrStored)
	}
	st := &stored{size: len(data)}
	sec := func(bytes bool) string {
		if len(rest) < 4 {
			ok = false
			return ""
		}
		n := uint64(u32s(rest[:4]).at(0))
		if !bytes {
			n *= 4
		}
		if n > uint64(len(rest)-4) {
			ok = false
			return ""
		}
		s := rest[4 : 4+n]
		rest = rest[4+n:]
		return s
	}
	hdr := u32s(sec(false))
	st.strOff, st.strBytes = u32s(sec(false)), sec(true)
	st.prov, st.lists, st.entries, st.inds, st.rejects = u32s(sec(false)), u32s(sec(false)), u32s(sec(false)), u32s(sec(false)), u32s(sec(false))
	lens := u32s(sec(false))
	st.domFilter = u32s(sec(false))
	if n := st.domFilter.n() / 2; st.domFilter.n()%2 != 0 || n&(n-1) != 0 {
		ok = false
	} else if n > 0 {
		st.domShift = uint(64 - bits.TrailingZeros(uint(n)))
	}
	for i := range st.tabs {
		st.tabs[i] = u32s(sec(false))
		if n := st.tabs[i].n(); n%3 != 0 || n/3&(n/3-1) != 0 {
			ok = false
		}
	}
	nHdr := 3 + len(storedTypes)
	if hdr.n() > 1 && hdr.at(1)&flagLayered != 0 {
		nHdr += 3
	}
	if !ok || len(rest) != 0 || hdr.n() != nHdr || hdr.at(1) > flagSingleLabel|flagLayered || hdr.at(2) != uint32(len(storedTypes)) ||
		st.strOff.n() == 0 || lens.n()%2 != 0 || st.entries.n()%3 != 0 || st.inds.n()%3 != 0 || st.rejects.n()%3 != 0 {
		return nil, fmt.Errorf("%w: bad sections", ErrStored)
	}
	st.total, st.singleLabel, st.layered = int(hdr.at(0)), hdr.at(1)&flagSingleLabel != 0, hdr.at(1)&flagLayered != 0
	for i := 3; i < 3+len(storedTypes); i++ {
		st.counts = append(st.counts, hdr.at(i))
	}
	if st.layered {
		st.baseTotal, st.baseSize, st.strBase = hdr.at(nHdr-3), hdr.at(nHdr-2), hdr.at(nHdr-1)
	}
	for i := 0; i < lens.n(); i += 2 {
		st.pathLens = append(st.pathLens, uint64(lens.at(i))|uint64(lens.at(i+1))<<32)
	}
	return st, nil
}

// str is string id; ok is false for an id or offsets out of range.
func (st *stored) str(id uint32) (string, bool) {
	if st.strBase > 0 {
		if id < st.strBase {
			return st.base.str(id) // OpenStoredOver checked the base's count
		}
		id -= st.strBase
	}
	if int(id)+1 >= st.strOff.n() {
		return "", false
	}
	a, b := st.strOff.at(int(id)), st.strOff.at(int(id)+1)
	if a > b || int(b) > len(st.strBytes) {
		return "", false
	}
	return st.strBytes[a:b], true
}

// find is the payload stored under key in table tab.
func (st *stored) find(tab int, key string) (uint32, bool) {
	return st.findHashed(tab, key, strHash(key))
}

// findHashed is find with key's strHash h.
func (st *stored) findHashed(tab int, key string, h uint64) (uint32, bool) {
	t := st.tabs[tab]
	n := t.n() / 3
	if n == 0 {
		return 0, false
	}
	tag, mask := uint32(h>>32), n-1
	for i, probes := int(h)&mask, 0; probes < n; i, probes = (i+1)&mask, probes+1 {
		k := t.at(3*i + 1)
		if k == 0 {
			return 0, false
		}
		if t.at(3*i) == tag {
			if s, ok := st.str(k - 1); ok && s == key {
				return t.at(3*i + 2), true
			}
		}
	}
	return 0, false
}

// domain is the stored domain entry of key s, from the top layer that has
// it, each layer's filter checked first; st may be nil.
func (st *stored) domain(s string) *entry {
	if st == nil {
		return nil
	}
	h := strHash(s)
	for l := st; l != nil; l = l.base {
		if e, found := l.ownDomain(s, h); found {
			return e
		}
	}
	return nil
}

// ownDomain is domain in this layer alone; found is false when the layer
// does not have s (a corrupt entry is found and nil).
func (st *stored) ownDomain(s string, h uint64) (*entry, bool) {
	if len(st.tabs[tabDomains]) == 0 {
		return nil, false
	}
	if n := st.domFilter.n(); n > 0 {
		i := int(h >> st.domShift)
		w := uint64(st.domFilter.at(2*i)) | uint64(st.domFilter.at(2*i+1))<<32
		if m := wordMask(h); w&m != m {
			return nil, false
		}
	}
	id, ok := st.findHashed(tabDomains, s, h)
	if !ok {
		return nil, false
	}
	return st.entry(id), true
}

// has reports whether table tab has any key in some layer.
func (st *stored) has(tab int) bool {
	for l := st; l != nil; l = l.base {
		if len(l.tabs[tab]) > 0 {
			return true
		}
	}
	return false
}

// lookup is the entry under key in table tab of the top layer that has
// it, or nil; st may be nil.
func (st *stored) lookup(tab int, key string) *entry {
	if st == nil {
		return nil
	}
	id, l := st.findLayer(tab, key)
	if l == nil {
		return nil
	}
	return l.entry(id)
}

// findLayer is the payload under key in table tab of the top layer that
// has it, and that layer (nil when none has it).
func (st *stored) findLayer(tab int, key string) (uint32, *stored) {
	var h uint64
	hashed := false
	for l := st; l != nil; l = l.base {
		if len(l.tabs[tab]) == 0 {
			continue
		}
		if !hashed {
			h, hashed = strHash(key), true
		}
		if id, ok := l.findHashed(tab, key, h); ok {
			return id, l
		}
	}
	return 0, nil
}

// filePath is the file:path entry of key p, looked up in each layer whose
// keys have p's length; st may be nil.
func (st *stored) filePath(p string) *entry {
	for l := st; l != nil; l = l.base {
		if !l.pathLens.has(len(p)) {
			continue
		}
		if id, ok := l.find(tabFilePaths, p); ok {
			return l.entry(id)
		}
	}
	return nil
}

// entry decodes entry id once (nil if corrupt).
func (st *stored) entry(id uint32) *entry {
	if v, ok := st.decoded.Load(id); ok {
		return v.(*entry)
	}
	if id >= listKey || int(id) >= st.entries.n()/3 {
		return nil
	}
	in, ok := st.indicator(st.entries, int(id))
	if !ok {
		return nil
	}
	v, _ := st.decoded.LoadOrStore(id, &entry{typ: in.Type, value: in.Value, partial: in.Partial, sources: in.Sources})
	return v.(*entry)
}

// indicator decodes the i-th 3-word record of sec (entries, inds or rejects).
func (st *stored) indicator(sec u32s, i int) (Indicator, bool) {
	code, vid, off := sec.at(3*i), sec.at(3*i+1), sec.at(3*i+2)
	v, ok := st.str(vid)
	var t Type
	switch c := code & 0xff; {
	case c == otherType:
		var name string
		name, ok = st.str(code >> 9)
		t = Type(name)
	case int(c) < len(storedTypes) && code>>9 == 0:
		t = storedTypes[c]
	default:
		ok = false
	}
	if !ok {
		return Indicator{}, false
	}
	srcs, ok := st.sources(off)
	return Indicator{Type: t, Value: v, Partial: code>>8&1 == 1, Sources: srcs}, ok
}

// sources decodes the provenance list at word off of prov.
func (st *stored) sources(off uint32) ([]model.Provenance, bool) {
	r := &wordReader{a: st.prov, i: int(off)}
	if int64(off) > int64(st.prov.n()) {
		return nil, false
	}
	k := r.next()
	if r.bad || k == 0 {
		return nil, !r.bad // nil kept apart from empty
	}
	if uint64(k-1)*9 > uint64(r.a.n()-r.i) {
		return nil, false
	}
	out := make([]model.Provenance, k-1)
	bad := false
	s := func() string {
		v, ok := st.str(r.next())
		bad = bad || !ok
		return v
	}
	for i := range out {
		p := &out[i]
		p.Source, p.File, p.Commit, p.Date, p.URL, p.IndicatorID, p.Pattern, p.Family = s(), s(), s(), s(), s(), s(), s(), s()
		if k := r.next(); k > 0 {
			if uint64(k-1) > uint64(r.a.n()-r.i) {
				return nil, false
			}
			p.References = make([]string, k-1)
			for j := range p.References {
				p.References[j] = s()
			}
		}
	}
	return out, !bad && !r.bad
}

// list decodes the list at word off of lists: entries, or (prefix, entry)
// pairs when paths; decoded once.
func (st *stored) list(off uint32, paths bool) any {
	if v, ok := st.decoded.Load(listKey | off); ok {
		return v
	}
	if off >= listKey {
		return nil
	}
	r := &wordReader{a: st.lists, i: int(off)}
	var v any
	if paths {
		out := make([]pathPrefix, r.count(2))
		for i := range out {
			p, ok := st.str(r.next())
			out[i] = pathPrefix{prefix: p, e: st.entry(r.next())}
			if !ok || out[i].e == nil {
				return nil
			}
		}
		v = out
	} else {
		out := make([]*entry, r.count(1))
		for i := range out {
			if out[i] = st.entry(r.next()); out[i] == nil {
				return nil
			}
		}
		v = out
	}
	if r.bad {
		return nil
	}
	v, _ = st.decoded.LoadOrStore(listKey|off, v)
	return v
}

// hostPaths is the stored host-path list of host, from the top layer that
// has it; st may be nil.
func (st *stored) hostPaths(host string) []pathPrefix {
	off, l := st.findLayer(tabDomainPaths, host)
	if l == nil {
		return nil
	}
	list, _ := l.list(off, true).([]pathPrefix)
	return list
}

// truncated is the stored list of process entries whose first 15 (i 0) or
// 16 (i 1) characters are k, from the top layer that has it; st may be nil.
func (st *stored) truncated(i int, k string) []*entry {
	off, l := st.findLayer(tabTrunc15+i, k)
	if l == nil {
		return nil
	}
	list, _ := l.list(off, false).([]*entry)
	return list
}

// ip is the stored entry of address a; st may be nil.
func (st *stored) ip(a netip.Addr) *entry {
	if !st.has(tabIPs) {
		return nil
	}
	k := ipKey(a)
	return st.lookup(tabIPs, string(k[:]))
}

// ipKey is the table key of an address (parseIP leaves no zone, and
// unmaps v4-in-v6).
func ipKey(a netip.Addr) [17]byte {
	var k [17]byte
	b := a.As16()
	copy(k[:], b[:])
	if a.Is4() {
		k[16] = 1
	}
	return k
}

// exactTab is the table of an exact-match type.
func exactTab(t Type) int {
	for i, x := range exactTypes {
		if x == t {
			return tabExact + i
		}
	}
	return -1
}

// Indicators decodes the stored indicator list, as given to Encode (a
// layered index's own, not its base's).
func (s *Stored) Indicators() ([]Indicator, error) { return s.st.decodeAll(s.st.inds) }

// Rejects are the stored indicators the index left out (as NewIndex returns them).
func (s *Stored) Rejects() ([]Indicator, error) { return s.st.decodeAll(s.st.rejects) }

// Len is the number of indicators in the stored list (its own, not its base's).
func (s *Stored) Len() int { return s.st.inds.n() / 3 }

func (st *stored) decodeAll(sec u32s) ([]Indicator, error) {
	out := make([]Indicator, sec.n()/3)
	for i := range out {
		var ok bool
		if out[i], ok = st.indicator(sec, i); !ok {
			return nil, fmt.Errorf("%w: indicator %d", ErrStored, i)
		}
	}
	return out, nil
}

// Index is the stored index with inds on top: it matches exactly as
// NewIndex over the stored list (its base's first, when layered) followed
// by inds would. The rejects are those of inds (Rejects has the stored
// list's).
func (s *Stored) Index(inds []Indicator) (*Index, []Indicator) {
	return newIndex(s.st, inds)
}

// strHash is the stored tables' hash: fixed (the tables are built at
// compile time), eight bytes a step.
func strHash(s string) uint64 {
	h := uint64(len(s))*0x9e3779b97f4a7c15 ^ 0x2d358dccaa6c78a5
	for ; len(s) >= 8; s = s[8:] {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = mum(h ^ w)
	}
	if len(s) > 0 {
		var w uint64
		for i := 0; i < len(s); i++ {
			w |= uint64(s[i]) << (8 * i)
		}
		h = mum(h ^ w ^ 0x8bb84b93962eacc9)
	}
	return mum(h ^ h>>29)
}

func mum(x uint64) uint64 {
	hi, lo := bits.Mul64(x^0xa0761d6478bd642f, 0xe7037ed1a0b428db)
	return hi ^ lo
}

// copyEntry is a copy of the stored entry under key (its sources clipped,
// so that merging into it copies them), or nil.
func (st *stored) copyEntry(tab int, key string) *entry {
	e := st.lookup(tab, key)
	if e == nil {
		return nil
	}
	return &entry{typ: e.typ, value: e.value, partial: e.partial, sources: slices.Clip(e.sources)}
}
