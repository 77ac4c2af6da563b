package output

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/spill"
)

// Spill budgets: the bytes of timeline events and of observables a scan
// holds in memory before writing a sorted run to its temporary folder.
const (
	eventBudget      = 8 << 20
	observableBudget = 8 << 20
)

// eventCodec is the compact form of a timeline event in the spill runs.
var eventCodec = spill.Codec[model.Event]{
	Append: func(dst []byte, e *model.Event) []byte {
		dst = appendTime(dst, e.Time)
		lvl := int64(-1)
		if e.Level != nil {
			lvl = int64(*e.Level)
		}
		dst = spill.AppendInt(dst, lvl)
		for _, s := range [...]string{e.Module, e.Event, e.Description, e.Artifact, e.Input} {
			dst = spill.AppendString(dst, s)
		}
		return appendMsg(dst, e.DescriptionMsg)
	},
	Decode: func(src []byte, e *model.Event) error {
		d := spill.NewDecoder(src)
		e.Time = readTime(d)
		if l := d.Int(); l >= 0 {
			lvl := model.Level(l)
			e.Level = &lvl
		}
		e.Module, e.Event = names.str(d), names.str(d)
		e.Description = d.Text()
		e.Artifact, e.Input = names.str(d), names.str(d)
		if err := readMsg(d, &e.DescriptionMsg); err != nil {
			return err
		}
		return d.Err()
	},
	Compare: model.CompareEvents,
	Size: func(e *model.Event) int {
		return 112 + len(e.Module) + len(e.Event) + len(e.Description) + len(e.Artifact) + len(e.Input) +
			msgSize(&e.DescriptionMsg)
	},
	RoundTrip: true, // TestEventCodecRoundTrip
}

// names holds one copy of the short strings that repeat from item to item
// in the spill runs (module and event names, artifacts, catalog keys and
// argument names, labels): the timeline is read back four times per scan,
// and allocating each of them again for every item was most of its cost.
var names = newInterner()

// Bounds of the interned strings: the short ones only, and only so many
// (values that do not repeat would only fill the table).
const (
	maxInternedLen = 128
	maxInterned    = 4096
	// recentSlots is the size of the interner's table of recent strings,
	// looked up without a lock or a hash of the whole string.
	recentSlots = 512
)

type interner struct {
	mu sync.RWMutex
	m  map[string]*string
	// recent holds, by slotOf, the last string found or interned there:
	// an item's names are mostly its predecessor's (one module, artifact
	// and label for thousands of items), so most look-ups end here, at
	// one comparison, instead of a map look-up under the lock.
	recent [recentSlots]atomic.Pointer[string]
}

func newInterner() *interner { return &interner{m: map[string]*string{}} }

// str reads a string (spill.AppendString's form), shared with the earlier
// items that held the same one.
func (in *interner) str(d *spill.Decoder) string {
	b := d.Bytes()
	if len(b) == 0 || len(b) > maxInternedLen {
		return string(b)
	}
	slot := &in.recent[slotOf(b)]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	in.mu.RLock()
	p, ok := in.m[string(b)]
	in.mu.RUnlock()
	if !ok {
		s := string(b)
		p = &s
		in.mu.Lock()
		if len(in.m) >= maxInterned {
			in.mu.Unlock()
			return s
		}
		if q, ok := in.m[s]; ok {
			p = q
		} else {
			in.m[s] = p
		}
		in.mu.Unlock()
	}
	slot.Store(p)
	return *p
}

// slotOf is b's place in the table of recent strings: from its length and
// three of its bytes (b is not empty).
func slotOf(b []byte) int {
	n := len(b)
	return (n*131 ^ int(b[0])*31 ^ int(b[n/2])*7 ^ int(b[n-1])) % recentSlots
}

// msgSize is about the memory a catalog message holds: its arguments, their
// strings and its nested messages. Without it a buffered item was counted
// at a quarter of its size (a network timeline event's message is a tree of
// five to ten messages), and the spill held about four times its budget.
// A message shared by several items (one label per kind of value) is
// counted for each: the budget errs on the safe side.
func msgSize(m *i18n.Msg) int {
	n := len(m.Key)
	for i := range m.Args {
		a := &m.Args[i]
		n += int(unsafe.Sizeof(*a)) + len(a.Name) + len(a.Str)
		if a.Msg != nil {
			n += int(unsafe.Sizeof(*a.Msg)) + msgSize(a.Msg)
		}
	}
	return n
}

// compareObservables orders observables by type and value (so that one
// value's sightings are adjacent), then where they were seen. Strings are
// compared with strings.Compare: cmp.Compare tests "less", then "greater",
// two comparisons of the whole string when they are equal (as the type,
// input, module and artifact of most neighbours are).
func compareObservables(a, b *ObservableRecord) int {
	if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
		return c
	}
	if c := strings.Compare(a.Value, b.Value); c != 0 {
		return c
	}
	return compareSighting(a, b)
}

func compareSighting(a, b *ObservableRecord) int {
	if c := strings.Compare(a.Input, b.Input); c != 0 {
		return c
	}
	if c := strings.Compare(a.Module, b.Module); c != 0 {
		return c
	}
	return strings.Compare(a.Artifact, b.Artifact)
}

// sortedTypes are the indicator types in the order of their names, ranked
// by observableKey.
var sortedTypes = func() []match.Type {
	ts := slices.Clone(match.AllTypes)
	slices.Sort(ts)
	return ts
}()

// observableKey is an observable's spill sort key (spill.Codec.Key): its
// type's rank among the sorted known types, odd (2i+1 for the i-th), in
// the number's top byte, then its value: the value's first 7 bytes in the
// number's others (big-endian, zeros after a shorter value), the rest as
// the string. A type not in the list ranks even, between its neighbours
// (2i when the i-th known type is the first after it), with no value: two
// such types of one rank compare equal here and are left to
// compareObservables. The spool's items are keyed so (itemKey).
func observableKey(o *ObservableRecord) (uint64, string) {
	n, known := typeKey(o.Type)
	if !known {
		return n, ""
	}
	return valueKey(n, o.Value)
}

// appendTime writes a time as a flag (0 for the zero time), then Unix
// seconds and nanoseconds.
func appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return spill.AppendInt(dst, 0)
	}
	dst = spill.AppendInt(dst, 1)
	dst = spill.AppendInt(dst, t.Unix())
	return spill.AppendInt(dst, int64(t.Nanosecond()))
}

func readTime(d *spill.Decoder) time.Time {
	if d.Int() == 0 {
		return time.Time{}
	}
	sec := d.Int()
	return time.Unix(sec, d.Int()).UTC()
}

// appendMsg writes a catalog message in the spill's binary form: its key
// ("" for the zero message), its argument count, then each argument's name,
// kind and value (a nested message recursively). Runs are read back several
// times (timeline files, report), so the form is one that decodes without
// parsing JSON.
func appendMsg(dst []byte, m i18n.Msg) []byte {
	dst = spill.AppendString(dst, m.Key)
	if m.IsZero() {
		return dst
	}
	dst = spill.AppendInt(dst, int64(len(m.Args)))
	for _, a := range m.Args {
		dst = spill.AppendString(dst, a.Name)
		dst = spill.AppendInt(dst, int64(a.Kind))
		switch a.Kind {
		case i18n.ArgInt:
			dst = spill.AppendInt(dst, a.Int)
		case i18n.ArgMsg:
			var sub i18n.Msg
			if a.Msg != nil {
				sub = *a.Msg
			}
			dst = appendMsg(dst, sub)
		default:
			dst = spill.AppendString(dst, a.Str)
		}
	}
	return dst
}

// maxMsgDepth bounds the nesting readMsg follows (catalog messages nest
// two or three deep).
const maxMsgDepth = 16

var errMsgForm = errors.New("spilled message: bad argument kind or nesting")

// errPlace is a spilled observable whose place is not in its spool's table.
var errPlace = errors.New("spilled observable: unknown place")

func readMsg(d *spill.Decoder, m *i18n.Msg) error { return readMsgDepth(d, m, 0) }

func readMsgDepth(d *spill.Decoder, m *i18n.Msg, depth int) error {
	*m = i18n.Msg{Key: names.str(d)}
	if m.Key == "" {
		return nil
	}
	n := d.Int()
	if depth > maxMsgDepth || n < 0 || n > int64(d.Len()) { // every argument takes bytes
		return errMsgForm
	}
	if n > 0 {
		m.Args = make([]i18n.Arg, n)
	}
	for i := range m.Args {
		a := &m.Args[i]
		a.Name = names.str(d)
		switch a.Kind = i18n.ArgKind(d.Int()); a.Kind {
		case i18n.ArgString:
			a.Str = d.Text()
		case i18n.ArgInt:
			a.Int = d.Int()
		case i18n.ArgMsg:
			a.Msg = new(i18n.Msg)
			if err := readMsgDepth(d, a.Msg, depth+1); err != nil {
				return err
			}
		default:
			return errMsgForm
		}
	}
	return nil // the caller checks d.Err once the whole item is read
}
