// Package intrusionlog owns reading Android Intrusion Logs (Android 16
// Advanced Protection, May 2026): newline-delimited JSON text files, one
// event per line wrapped by its type:
//
//	{"dns_event": {"event_time": <ms>, "hostname": "...", "ip_addresses": ["/1.2.3.4"], "package_name": "..."}}
//	{"connect_event": {"event_time": <ms>, "ip_address": "/1.2.3.4", "port": 443, "package_name": "..."}}
//	{"security_event": {"event_id": 191, "event_time": <ns>, "app_process_start": {"process": "...", "uid": 10000, "pid": 1234}}}
//
// and whatever other types the platform adds. A security event names its
// SecurityLog tag by a key holding the tag's fields; the raw SecurityLog form
// ({"tag": 210005, "data": [...]}) is read too, its positional data named as
// SecurityLog documents them. Times are epoch numbers whose unit (s, ms, µs
// or ns) is told by their size.
//
// A Reader reads lines, drops events already seen in an earlier line or
// file (daily files overlap), and reports each malformed line with its
// number. It holds 16 bytes per distinct event.
package intrusionlog

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MaxLine bounds one line; longer lines are malformed.
const MaxLine = 1 << 20

// Event types MVT and spyscan know. Others are read and kept as they are.
const (
	DNS      = "dns_event"
	Connect  = "connect_event"
	Security = "security_event"
)

// Event is one intrusion-log event.
type Event struct {
	Type  string         // the wrapper key: dns_event, connect_event, security_event, ...
	Tag   string         // security events: the SecurityLog tag name ("" when none)
	TagID int            // security events: the SecurityLog tag number when known
	Time  time.Time      // UTC; zero when the event has no usable event_time
	Data  map[string]any // dns/connect/other: the event object; security: the tag's fields
	Raw   json.RawMessage
}

// Str returns the first of keys in e.Data as a string (numbers and booleans
// formatted), or "". A security event's field is also found under the name
// real exports give it (see exportedNames): Str("package_name") of a
// package_updated event reads its "package".
func (e Event) Str(keys ...string) string {
	if s := Str(e.Data, keys...); s != "" {
		return s
	}
	for _, k := range keys {
		if alt := e.exported(k); alt != "" {
			if s := Str(e.Data, alt); s != "" {
				return s
			}
		}
	}
	return ""
}

// key returns the key of e.Data holding the field named key: key itself,
// else the name real exports give the field, else key.
func (e Event) key(key string) string {
	if _, ok := e.Data[key]; ok {
		return key
	}
	if alt := e.exported(key); alt != "" {
		if _, ok := e.Data[alt]; ok {
			return alt
		}
	}
	return key
}

// exported returns the name a real export gives the documented field of a
// security event's tag, or "" when it has no other name or the tag does
// not document the field.
func (e Event) exported(field string) string {
	if e.Type != Security {
		return ""
	}
	alt, ok := exportedNames[field]
	if !ok || !tagByName[e.Tag].has(field) {
		return ""
	}
	return alt
}

// Str returns the first of keys in m as a string.
func Str(m map[string]any, keys ...string) string {
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			return v
		case json.Number:
			return v.String()
		case bool:
			return strconv.FormatBool(v)
		}
	}
	return ""
}

// Strs returns the string elements of the list under key (a lone string is
// one element).
func (e Event) Strs(key string) []string {
	switch v := e.Data[e.key(key)].(type) {
	case []any:
		var out []string
		for _, x := range v {
			switch s := x.(type) {
			case string:
				out = append(out, s)
			case json.Number:
				out = append(out, s.String())
			}
		}
		return out
	case string:
		return []string{v}
	}
	return nil
}

// Success reads a success flag: JSON true/false, or SecurityLog's 1/0.
// ok is false when the field is absent or of another kind.
func (e Event) Success(key string) (success, ok bool) {
	switch v := e.Data[e.key(key)].(type) {
	case bool:
		return v, true
	case json.Number:
		n, err := v.Int64()
		return err == nil && n == 1, err == nil
	case string:
		b, err := strconv.ParseBool(v)
		return b, err == nil
	}
	return false, false
}

// Reader reads intrusion-log lines, dropping duplicates across all input.
type Reader struct {
	seen  map[[16]byte]struct{}
	canon canonHash
	// Duplicates counts events dropped as already seen.
	Duplicates int
}

// NewReader returns a Reader with an empty duplicate set.
func NewReader() *Reader { return &Reader{seen: map[[16]byte]struct{}{}} }

// LineError is a malformed line.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ErrMalformed is wrapped by every LineError.
var ErrMalformed = errors.New("malformed intrusion-log line")

// ReadAll reads every line of r, calling fn for each new event in order and
// bad for each malformed line. It returns the number of lines that held
// something and the first read error (not a malformed line).
func (rd *Reader) ReadAll(r io.Reader, fn func(Event, int), bad func(*LineError)) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	lines := 0
	for n := 1; ; n++ {
		line, err := readLine(br)
		if errors.Is(err, errLong) {
			bad(&LineError{n, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, MaxLine)})
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return lines, err
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			lines++
			evs, perr := rd.Line(t)
			if perr != nil {
				bad(&LineError{n, perr})
			}
			for _, e := range evs {
				fn(e, n)
			}
		}
		if err != nil {
			return lines, nil
		}
	}
}

var errLong = errors.New("line too long")

// readLine returns the next line without its end; a line over MaxLine is
// skipped whole and errLong returned.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxLine+1 {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errLong
		}
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), err
	}
}

// Line decodes one line (an object of one or more wrapped events) and
// returns the events not seen before.
func (rd *Reader) Line(b []byte) ([]Event, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(top) == 0 {
		return nil, fmt.Errorf("%w: no event", ErrMalformed)
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Event
	var bad []string
	for _, typ := range keys {
		raw := top[typ]
		obj, err := decodeObject(raw)
		if err != nil || strings.TrimSpace(typ) == "" {
			bad = append(bad, typ)
			continue
		}
		if rd.dup(typ, obj) {
			rd.Duplicates++
			continue
		}
		out = append(out, build(typ, obj, raw))
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("%w: %q is not an event object", ErrMalformed, strings.Join(bad, ", "))
	}
	return out, nil
}

func decodeObject(raw json.RawMessage) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var obj map[string]any
	if err := d.Decode(&obj); err != nil || obj == nil {
		return nil, errors.New("not an object")
	}
	return obj, nil
}

// dup reports whether an identical event of the same type was seen before
// (keys in any order, numbers as written), and remembers it.
func (rd *Reader) dup(typ string, obj map[string]any) bool {
	if rd.seen == nil {
		rd.seen = map[[16]byte]struct{}{}
	}
	h := &rd.canon
	if h.h == nil {
		h.h = sha256.New()
	}
	h.h.Reset()
	h.str(typ)
	h.value(obj)
	var k [16]byte
	copy(k[:], h.h.Sum(h.sum[:0]))
	if _, ok := rd.seen[k]; ok {
		return true
	}
	rd.seen[k] = struct{}{}
	return false
}

// canonHash hashes a decoded JSON value in one canonical form: object
// keys sorted, numbers as written, every item tagged with its kind and
// length, so that two values hash alike only when they are the same.
// It replaces a json.Marshal of the value (a fifth of the reader's time).
type canonHash struct {
	h    hash.Hash
	sum  [sha256.Size]byte
	num  [binary.MaxVarintLen64 + 1]byte
	keys []string
}

func (c *canonHash) tag(kind byte, n int) {
	c.num[0] = kind
	m := binary.PutUvarint(c.num[1:], uint64(n))
	c.h.Write(c.num[:1+m])
}

func (c *canonHash) str(s string) {
	c.tag('s', len(s))
	io.WriteString(c.h, s)
}

func (c *canonHash) value(v any) {
	switch x := v.(type) {
	case map[string]any:
		c.tag('o', len(x))
		start := len(c.keys)
		for k := range x {
			c.keys = append(c.keys, k)
		}
		keys := c.keys[start:]
		sort.Strings(keys)
		for _, k := range keys {
			c.str(k)
			c.value(x[k])
		}
		c.keys = c.keys[:start]
	case []any:
		c.tag('a', len(x))
		for _, e := range x {
			c.value(e)
		}
	case string:
		c.str(x)
	case json.Number:
		c.tag('n', len(x))
		io.WriteString(c.h, string(x))
	case bool:
		if x {
			c.tag('t', 0)
		} else {
			c.tag('f', 0)
		}
	default: // nil
		c.tag('z', 0)
	}
}

func build(typ string, obj map[string]any, raw json.RawMessage) Event {
	e := Event{Type: typ, Data: obj, Raw: raw, Time: epoch(obj["event_time"])}
	if typ == Security {
		e.Tag, e.TagID, e.Data = securityTag(obj)
	}
	return e
}

// epoch converts an epoch number to a time, its unit told by its size:
// nanoseconds (security events), microseconds, milliseconds (dns and
// connect events) or seconds.
func epoch(v any) time.Time {
	var f float64
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return epochInt(i)
		}
		x, err := n.Float64()
		if err != nil {
			return time.Time{}
		}
		f = x
	case string:
		x, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return time.Time{}
		}
		f = x
	default:
		return time.Time{}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f > math.MaxInt64 {
		return time.Time{}
	}
	return epochInt(int64(f))
}

func epochInt(i int64) time.Time {
	switch {
	case i <= 0:
		return time.Time{}
	case i >= 1e17:
		return time.Unix(0, i).UTC()
	case i >= 1e14:
		return time.UnixMicro(i).UTC()
	case i >= 1e11:
		return time.UnixMilli(i).UTC()
	default:
		return time.Unix(i, 0).UTC()
	}
}

// metadataKeys are the keys of a security event that are not its tag.
var metadataKeys = map[string]bool{"event_id": true, "event_time": true, "event_type": true, "timestamp": true,
	"tag": true, "tag_id": true, "data": true, "log_level": true}

// securityTag finds a security event's tag and fields: the raw form
// (tag + data), else the first key that is not metadata, holding the
// fields as an object (or a lone value, kept under "value").
func securityTag(obj map[string]any) (string, int, map[string]any) {
	if t, ok := obj["tag"]; ok {
		name, id := tagOf(t)
		return name, id, positional(name, obj["data"])
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if !metadataKeys[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "", 0, map[string]any{}
	}
	sort.Strings(keys)
	name := keys[0]
	id := 0
	if t, ok := tagByName[name]; ok {
		id = t.id
	}
	switch v := obj[name].(type) {
	case map[string]any:
		return name, id, v
	default:
		return name, id, map[string]any{"value": v}
	}
}

func tagOf(v any) (string, int) {
	var id int64
	switch t := v.(type) {
	case json.Number:
		id, _ = t.Int64()
	case string:
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			id = n
		} else {
			name := strings.ToLower(strings.TrimPrefix(t, "TAG_"))
			if tg, ok := tagByName[name]; ok {
				return name, tg.id
			}
			return name, 0
		}
	}
	if tg, ok := tagByID[int(id)]; ok {
		return tg.name, tg.id
	}
	if id > 0 && id < math.MaxInt32 {
		return strconv.FormatInt(id, 10), int(id)
	}
	return "", 0
}

// positional names the elements of a raw SecurityLog data array as the
// tag's documented payload; other elements are kept as data_N.
func positional(name string, data any) map[string]any {
	out := map[string]any{}
	switch d := data.(type) {
	case map[string]any:
		return d
	case []any:
		fields := tagByName[name].fields
		for i, v := range d {
			if i < len(fields) {
				out[fields[i]] = v
			} else {
				out["data_"+strconv.Itoa(i)] = v
			}
		}
	case nil:
	default:
		out["value"] = d
	}
	return out
}

// Sniff reports whether head (the start of a file) begins with an
// intrusion-log line: a JSON object wrapping an event of a known type, or
// any event object with an event_time.
func Sniff(head []byte) bool {
	for len(head) > 0 {
		line, rest, found := bytes.Cut(head, []byte("\n"))
		if t := bytes.TrimSpace(line); len(t) > 0 {
			if !found && len(rest) == 0 && len(head) >= 64<<10 {
				return false // the first line does not fit in head
			}
			evs, err := (&Reader{}).Line(t)
			if err != nil || len(evs) == 0 {
				return false
			}
			for _, e := range evs {
				if KnownType(e.Type) {
					return true
				}
				if _, ok := e.Data["event_time"]; ok {
					return true
				}
			}
			return false
		}
		head = rest
	}
	return false
}
