package backup

import (
	"fmt"
	"strconv"
	"time"
)

// blobArena is the Scan destination of the Files table's file column (the
// MBFile blob): each row's value is copied into chunks of blobChunk bytes
// that every batch of rows reuses. database/sql gives a Scanner the
// driver's own bytes, valid until the next row, where a *[]byte
// destination made a new copy of every blob (an allocation a file: 3,721
// on MVT's sample, and 0.5 KB of garbage per file of a large backup). The
// bytes are those a *[]byte would have received, and the same values are
// refused (see Scan).
type blobArena struct {
	cur        []byte   // the chunk being filled
	used, free [][]byte // chunks filled since the last reset, and reusable ones
	last       []byte   // the value of the last row scanned (nil for NULL)
}

// blobChunk is the size of a chunk; a value over a quarter of it is
// copied on its own.
const blobChunk = 128 << 10

// Scan copies src, converted as database/sql converts a value for a
// *[]byte destination (convertAssignRows): bytes and text as they are,
// numbers and booleans as their text, a time.Time (the driver's value of
// a column declared as a date) as RFC 3339 text, NULL as nil; any other
// type is refused with database/sql's message.
func (a *blobArena) Scan(src any) error {
	var tmp [64]byte
	switch v := src.(type) {
	case nil:
		a.last = nil
	case []byte:
		a.place(v)
	case string:
		a.placeString(v)
	case int64:
		a.place(strconv.AppendInt(tmp[:0], v, 10))
	case float64:
		a.place(strconv.AppendFloat(tmp[:0], v, 'g', -1, 64))
	case bool:
		a.place(strconv.AppendBool(tmp[:0], v))
	case time.Time:
		a.place(v.AppendFormat(tmp[:0], time.RFC3339Nano))
	default:
		return fmt.Errorf("unsupported Scan, storing driver.Value type %T into type %T", src, (*[]byte)(nil))
	}
	return nil
}

// place copies b into the arena and makes it the last value.
func (a *blobArena) place(b []byte) {
	a.room(len(b))
	start := len(a.cur)
	a.cur = append(a.cur, b...)
	a.last = a.cur[start:len(a.cur):len(a.cur)] // a later append never writes into it
}

func (a *blobArena) placeString(s string) {
	a.room(len(s))
	start := len(a.cur)
	a.cur = append(a.cur, s...)
	a.last = a.cur[start:len(a.cur):len(a.cur)]
}

// room makes the current chunk one with n bytes free (a chunk of its own
// for a large value).
func (a *blobArena) room(n int) {
	if cap(a.cur)-len(a.cur) >= n {
		return
	}
	if a.cur != nil {
		a.used = append(a.used, a.cur[:0])
	}
	switch k := len(a.free); {
	case n > blobChunk/4:
		a.cur = make([]byte, 0, n) // dropped at the next reset
	case k > 0:
		a.cur, a.free = a.free[k-1], a.free[:k-1]
	default:
		a.cur = make([]byte, 0, blobChunk)
	}
}

// reset makes the chunks reusable once the batch's blobs are decoded
// (their values are not read after it).
func (a *blobArena) reset() {
	if a.cur != nil {
		a.used = append(a.used, a.cur[:0])
	}
	for _, c := range a.used {
		if cap(c) == blobChunk {
			a.free = append(a.free, c)
		}
	}
	a.cur, a.used, a.last = nil, a.used[:0], nil
}
