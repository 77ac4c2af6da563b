package output

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/spill"
)

// obsPlace is where and under which label checked values were seen: every
// field of an ObservableRecord but the value, its count and its time. The
// spool keeps one of each distinct place (a module checks thousands of
// values in a few places), and its items point to it, so that an item
// holds, sorts, spills and reads back its value, count and time only.
type obsPlace struct {
	id  uint32           // its number in the spool's table; inlinePlace when it is not in it
	key uint64           // its type's part of observableKey
	typ bool             // a known type: the value goes in the key
	rec ObservableRecord // Value, Count and FirstSeen unset
}

// inlinePlace is the id of a place the table had no room for: its item
// carries it, and a spill run holds it in full beside the item.
const inlinePlace = ^uint32(0)

// maxPlaces bounds the spool's table of places (a module that names a
// different artifact for each value would otherwise fill it): the places
// past it are carried by their items.
const maxPlaces = 4096

// obsItem is a checked value as the spool holds it.
type obsItem struct {
	value string
	first time.Time
	count int
	place *obsPlace
}

// record expands an item into the record it stands for.
func (it *obsItem) record(o *ObservableRecord) {
	*o = it.place.rec
	o.Value, o.Count, o.FirstSeen = it.value, it.count, it.first
}

// placeTable holds the distinct places of one spool, numbered.
type placeTable struct {
	limit  int // maxPlaces; a test's own
	mu     sync.RWMutex
	places []*obsPlace
	byName map[placeName][]*obsPlace // the places of one name differ in their label's arguments
}

// placeName is a place's fields that compare with ==.
type placeName struct {
	typ                                    match.Type
	module, input, artifact, what, whatKey string
}

func newPlaceTable() *placeTable {
	return &placeTable{limit: maxPlaces, byName: map[placeName][]*obsPlace{}}
}

// samePlace tells whether p is the place of o, seen by module mod on input.
func samePlace(p *obsPlace, o *module.Observable, mod, input string) bool {
	r := &p.rec
	return r.Type == o.Type && r.Artifact == o.Artifact && r.What == o.What && r.Module == mod && r.Input == input &&
		msgEqual(&r.WhatMsg, &o.WhatMsg)
}

// find returns the place of o, seen by module mod on input: the table's,
// made if new, or one of its own when the table is full.
func (t *placeTable) find(o *module.Observable, mod, input string) *obsPlace {
	name := placeName{typ: o.Type, module: mod, input: input, artifact: o.Artifact, what: o.What, whatKey: o.WhatMsg.Key}
	t.mu.RLock()
	p := findPlace(t.byName[name], o, mod, input)
	t.mu.RUnlock()
	if p != nil {
		return p
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := findPlace(t.byName[name], o, mod, input); p != nil {
		return p
	}
	p = newPlace(o, mod, input)
	if len(t.places) < t.limit {
		p.id = uint32(len(t.places))
		t.places = append(t.places, p)
		t.byName[name] = append(t.byName[name], p)
	}
	return p
}

func findPlace(ps []*obsPlace, o *module.Observable, mod, input string) *obsPlace {
	for _, p := range ps {
		if samePlace(p, o, mod, input) {
			return p
		}
	}
	return nil
}

// newPlace returns the place of o, seen by module mod on input, outside
// the table.
func newPlace(o *module.Observable, mod, input string) *obsPlace {
	p := &obsPlace{id: inlinePlace, rec: ObservableRecord{Module: mod, Input: input,
		Observable: module.Observable{Type: o.Type, Artifact: o.Artifact, What: o.What, WhatMsg: o.WhatMsg}}}
	p.key, p.typ = typeKey(o.Type)
	return p
}

// get returns the place numbered id, nil if there is none.
func (t *placeTable) get(id uint64) *obsPlace {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if id >= uint64(len(t.places)) {
		return nil
	}
	return t.places[id]
}

// msgEqual tells whether two catalog messages are the same, arguments
// and nested messages included.
func msgEqual(a, b *i18n.Msg) bool {
	if a.Key != b.Key || len(a.Args) != len(b.Args) {
		return false
	}
	for i := range a.Args {
		x, y := &a.Args[i], &b.Args[i]
		if x.Name != y.Name || x.Kind != y.Kind || x.Str != y.Str || x.Int != y.Int || (x.Msg == nil) != (y.Msg == nil) {
			return false
		}
		if x.Msg != nil && !msgEqual(x.Msg, y.Msg) {
			return false
		}
	}
	return true
}

// obsSink turns a recorder's batches into spool items: one module run on
// one input. The places of the last values are tried first (a module
// checks a few kinds of values in turn: a path, then a hash).
type obsSink struct {
	table      *placeTable
	sorter     *spill.Sorter[obsItem]
	mod, input string

	mu     sync.Mutex // a recorder hands one batch at a time, but nothing requires it
	recent [4]*obsPlace
	next   int // the slot of recent the next new place takes
	items  []obsItem
}

// add hands a batch to the sorter.
func (s *obsSink) add(batch []module.Observable) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.items[:0]
	for i := range batch {
		o := &batch[i]
		items = append(items, obsItem{value: o.Value, first: o.FirstSeen, count: o.Count, place: s.place(o)})
	}
	err := s.sorter.AddAll(items)
	clear(items) // the sorter copied them; the values are its to keep
	s.items = items[:0]
	return err
}

// place returns o's place, from the recent ones when it is one of them.
func (s *obsSink) place(o *module.Observable) *obsPlace {
	for _, p := range s.recent {
		if p != nil && samePlace(p, o, s.mod, s.input) {
			return p
		}
	}
	p := s.table.find(o, s.mod, s.input)
	s.recent[s.next] = p
	s.next = (s.next + 1) % len(s.recent)
	return p
}

// compareItems orders items as compareObservables orders the records
// they stand for.
func compareItems(a, b *obsItem) int {
	pa, pb := a.place, b.place
	if pa != pb {
		if c := strings.Compare(string(pa.rec.Type), string(pb.rec.Type)); c != 0 {
			return c
		}
	}
	if c := strings.Compare(a.value, b.value); c != 0 || pa == pb {
		return c
	}
	return compareSighting(&pa.rec, &pb.rec)
}

// typeKey is a type's part of observableKey: its rank, and whether it is
// a known type (whose keys hold the value).
func typeKey(t match.Type) (uint64, bool) {
	i, found := slices.BinarySearch(sortedTypes, t)
	if !found {
		return uint64(2*i) << 56, false
	}
	return uint64(2*i+1) << 56, true
}

// itemKey is observableKey of the record an item stands for.
func itemKey(it *obsItem) (uint64, string) {
	p := it.place
	if !p.typ {
		return p.key, ""
	}
	return valueKey(p.key, it.value)
}

// valueKey adds a value to a known type's key: its first 7 bytes in the
// number, the rest as the string.
func valueKey(n uint64, v string) (uint64, string) {
	for j := range min(7, len(v)) {
		n |= uint64(v[j]) << (48 - 8*j)
	}
	return n, v[min(7, len(v)):]
}

// itemCodec is the spill form of a spool's items: time, count, place
// (its number plus one, or 0 and the place in full), value.
func itemCodec(t *placeTable) spill.Codec[obsItem] {
	return spill.Codec[obsItem]{Append: appendItem, Decode: t.decodeItem, Compare: compareItems, Key: itemKey, Size: itemSize,
		RoundTrip: true} // TestItemCodecRoundTrip
}

func appendItem(dst []byte, it *obsItem) []byte {
	dst = appendTime(dst, it.first)
	dst = spill.AppendInt(dst, int64(it.count))
	if p := it.place; p.id != inlinePlace {
		dst = spill.AppendInt(dst, int64(p.id)+1)
	} else {
		dst = spill.AppendInt(dst, 0)
		dst = appendPlaceRec(dst, &p.rec)
	}
	return spill.AppendString(dst, it.value)
}

// decodeItem reads what appendItem wrote, its place from the table.
func (t *placeTable) decodeItem(src []byte, it *obsItem) error {
	d := spill.NewDecoder(src)
	it.first = readTime(d)
	it.count = int(d.Int())
	if id := d.Int(); id > 0 {
		if it.place = t.get(uint64(id - 1)); it.place == nil {
			return errPlace
		}
	} else {
		p := &obsPlace{id: inlinePlace}
		if err := readPlace(d, &p.rec); err != nil {
			return err
		}
		p.key, p.typ = typeKey(p.rec.Type)
		it.place = p
	}
	it.value = d.String()
	return d.Err()
}

// itemSize is about the memory an item holds: itself (56 bytes in the
// buffer), its value, its sort key and position while its run is sorted
// (44), and its place when the item carries it.
func itemSize(it *obsItem) int {
	n := 104 + len(it.value)
	if p := it.place; p.id == inlinePlace {
		n += 160 + len(p.rec.Type) + len(p.rec.Input) + len(p.rec.Module) + len(p.rec.Artifact) + len(p.rec.What) +
			msgSize(&p.rec.WhatMsg)
	}
	return n
}

// appendPlaceRec writes a place's fields.
func appendPlaceRec(dst []byte, r *ObservableRecord) []byte {
	for _, s := range [...]string{string(r.Type), r.Input, r.Module, r.Artifact, r.What} {
		dst = spill.AppendString(dst, s)
	}
	return appendMsg(dst, r.WhatMsg)
}

// readPlace reads what appendPlaceRec wrote.
func readPlace(d *spill.Decoder, r *ObservableRecord) error {
	r.Type = match.Type(names.str(d))
	r.Input, r.Module, r.Artifact, r.What = names.str(d), names.str(d), names.str(d), names.str(d)
	return readMsg(d, &r.WhatMsg)
}
