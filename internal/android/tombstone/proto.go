package tombstone

import (
	"errors"
	"fmt"
	"path"
)

// MaxProto bounds the size of a protobuf tombstone read.
const MaxProto = 64 << 20

var errWire = errors.New("malformed protobuf")

// wire iterates over the fields of one protobuf message.
type wire struct{ b []byte }

type field struct {
	num  uint64
	typ  int
	v    uint64 // varint / fixed values
	data []byte // length-delimited value
}

func (w *wire) varint() (uint64, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if len(w.b) == 0 {
			return 0, errWire
		}
		c := w.b[0]
		w.b = w.b[1:]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errWire
}

func (w *wire) next() (field, error) {
	k, err := w.varint()
	if err != nil {
		return field{}, err
	}
	f := field{num: k >> 3, typ: int(k & 7)}
	if f.num == 0 {
		return f, errWire
	}
	switch f.typ {
	case 0:
		f.v, err = w.varint()
	case 1:
		if len(w.b) < 8 {
			return f, errWire
		}
		for i := 7; i >= 0; i-- {
			f.v = f.v<<8 | uint64(w.b[i])
		}
		w.b = w.b[8:]
	case 2:
		var n uint64
		n, err = w.varint()
		if err == nil && n > uint64(len(w.b)) {
			err = errWire
		}
		if err == nil {
			f.data, w.b = w.b[:n], w.b[n:]
		}
	case 5:
		if len(w.b) < 4 {
			return f, errWire
		}
		f.v = uint64(w.b[0]) | uint64(w.b[1])<<8 | uint64(w.b[2])<<16 | uint64(w.b[3])<<24
		w.b = w.b[4:]
	default:
		err = errWire // groups are not used by tombstone.proto
	}
	return f, err
}

// each calls fn for every field of msg.
func each(msg []byte, fn func(f field) error) error {
	w := wire{msg}
	for len(w.b) > 0 {
		f, err := w.next()
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

var archNames = map[uint64]string{0: "arm", 1: "arm64", 2: "x86", 3: "x86_64", 4: "riscv64", 5: "none"}

// ParseProto reads a protobuf tombstone (AOSP tombstone.proto).
func ParseProto(b []byte) (Tombstone, error) {
	t := Tombstone{Format: "protobuf"}
	if len(b) > MaxProto {
		return t, fmt.Errorf("protobuf tombstone larger than %d bytes", MaxProto)
	}
	threads := map[uint64]string{}
	var seen bool
	err := each(b, func(f field) error {
		s := string(f.data)
		switch {
		case f.typ == 0:
			seen = true
			switch f.num {
			case 1:
				t.Arch = archNames[f.v]
			case 5:
				t.PID = int64(uint32(f.v))
			case 6:
				t.TID = int64(uint32(f.v))
			case 7:
				t.UID = int64(uint32(f.v))
			case 20:
				t.ProcessUptime = int64(uint32(f.v))
			}
		case f.typ == 2:
			switch f.num {
			case 2:
				t.BuildFingerprint = s
			case 3:
				t.Revision = s
			case 4:
				t.Timestamp = s
			case 8:
				t.SELinuxLabel = s
			case 9:
				t.CommandLine = append(t.CommandLine, s)
			case 10:
				return parseSignal(f.data, &t.Signal)
			case 14:
				t.AbortMessage = s
			case 15:
				if t.Cause == "" {
					return each(f.data, func(c field) error {
						if c.num == 1 && c.typ == 2 {
							t.Cause = string(c.data)
						}
						return nil
					})
				}
			case 16:
				return parseThreadEntry(f.data, threads)
			}
		}
		return nil
	})
	if err != nil {
		return t, err
	}
	if !seen && t.BuildFingerprint == "" {
		return t, ErrNotTombstone
	}
	t.ProcessName = threads[uint64(t.TID)]
	if t.ProcessName == "" && len(t.CommandLine) > 0 {
		t.ProcessName = path.Base(t.CommandLine[0])
	}
	if len(t.CommandLine) > 0 {
		t.BinaryPath = t.CommandLine[0]
	}
	t.finish()
	return t, nil
}

func parseSignal(b []byte, s *Signal) error {
	return each(b, func(f field) error {
		switch {
		case f.num == 1 && f.typ == 0:
			s.Number = int(int32(f.v))
		case f.num == 2 && f.typ == 2:
			s.Name = string(f.data)
		case f.num == 3 && f.typ == 0:
			s.Code = int(int32(f.v))
		case f.num == 4 && f.typ == 2:
			s.CodeName = string(f.data)
		}
		return nil
	})
}

// parseThreadEntry reads one map<uint32, Thread> entry: id → thread name.
func parseThreadEntry(b []byte, threads map[uint64]string) error {
	var key uint64
	var name string
	var id uint64
	err := each(b, func(f field) error {
		switch {
		case f.num == 1 && f.typ == 0:
			key = f.v
		case f.num == 2 && f.typ == 2:
			return each(f.data, func(g field) error {
				switch {
				case g.num == 1 && g.typ == 0:
					id = g.v
				case g.num == 2 && g.typ == 2:
					name = string(g.data)
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if id == 0 {
		id = key
	}
	if len(threads) < 1<<16 {
		threads[uint64(uint32(id))] = name
	}
	return nil
}
