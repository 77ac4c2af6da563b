package tombstone

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// MaxProto bounds the size of a protobuf tombstone read.
const MaxProto = 64 << 20

// Bounds of what one protobuf tombstone may hold; past them the rest is
// not kept (the tombstone is still read).
const (
	maxThreads = 1 << 16
	maxCauses  = 64
)

var errWire = errors.New("malformed protobuf")

// Field numbers of AOSP's debuggerd/proto/tombstone.proto (2025).
const (
	fArch             = 1
	fBuildFingerprint = 2
	fRevision         = 3
	fTimestamp        = 4
	fPID              = 5
	fTID              = 6
	fUID              = 7
	fSELinuxLabel     = 8
	fCommandLine      = 9
	fSignal           = 10
	fAbortMessage     = 14
	fCauses           = 15
	fThreads          = 16
	fProcessUptime    = 20
	fExecutableName   = 27

	// Signal
	fSigNumber   = 1
	fSigName     = 2
	fSigCode     = 3
	fSigCodeName = 4

	// Cause
	fCauseHumanReadable = 1
	fCauseMemoryError   = 2
	// MemoryError
	fMemTool = 1
	fMemType = 2
	fMemHeap = 3
	// HeapObject
	fHeapAddress    = 1
	fHeapSize       = 2
	fHeapAllocTID   = 3
	fHeapDeallocTID = 5

	// map<uint32, Thread> entry, and Thread
	fEntryKey   = 1
	fEntryValue = 2
	fThreadID   = 1
	fThreadName = 2
)

var archNames = map[uint64]string{0: "arm", 1: "arm64", 2: "x86", 3: "x86_64", 4: "riscv64", 5: "none"}

var memoryTools = map[uint64]string{0: "GWP_ASAN", 1: "SCUDO"}

var memoryErrorTypes = map[uint64]string{0: "UNKNOWN", 1: "USE_AFTER_FREE", 2: "DOUBLE_FREE",
	3: "INVALID_FREE", 4: "BUFFER_OVERFLOW", 5: "BUFFER_UNDERFLOW"}

// value is one field of a protobuf message as protowire reads it.
type value struct {
	num  protowire.Number
	typ  protowire.Type
	u    uint64 // varint, fixed32 and fixed64 values
	data []byte // length-delimited values
}

// str is a length-delimited value as text, without the NUL terminators
// debuggerd sometimes copies from C strings (selinux_label).
func (v value) str() string { return strings.TrimRight(string(v.data), "\x00") }

// each calls fn for every field of msg, read with protowire. Fields of
// unknown numbers (OEM additions, newer AOSP fields) are skipped whatever
// their wire type; a field that does not fit in msg is an error.
func each(msg []byte, fn func(v value) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return fmt.Errorf("%w: %w", errWire, protowire.ParseError(n))
		}
		msg = msg[n:]
		v := value{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			v.u, n = protowire.ConsumeVarint(msg)
		case protowire.Fixed32Type:
			var u uint32
			u, n = protowire.ConsumeFixed32(msg)
			v.u = uint64(u)
		case protowire.Fixed64Type:
			v.u, n = protowire.ConsumeFixed64(msg)
		case protowire.BytesType:
			v.data, n = protowire.ConsumeBytes(msg)
		default: // groups: not used by tombstone.proto, skipped whole
			n = protowire.ConsumeFieldValue(num, typ, msg)
		}
		if n < 0 {
			return fmt.Errorf("%w: field %d: %w", errWire, num, protowire.ParseError(n))
		}
		msg = msg[n:]
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// protoReader accumulates one tombstone.
type protoReader struct {
	t       Tombstone
	threads map[uint64]string
	seen    bool // a numeric field was read
}

// ParseProto reads a protobuf tombstone (AOSP tombstone.proto).
func ParseProto(b []byte) (Tombstone, error) {
	r := protoReader{t: Tombstone{Format: "protobuf"}, threads: map[uint64]string{}}
	if len(b) > MaxProto {
		return r.t, fmt.Errorf("protobuf tombstone larger than %d bytes", MaxProto)
	}
	if err := each(b, r.field); err != nil {
		return r.t, err
	}
	t := r.t
	if !r.seen && t.BuildFingerprint == "" {
		return t, ErrNotTombstone
	}
	t.ProcessName = r.threads[uint64(t.TID)]
	if t.ProcessName == "" && len(t.CommandLine) > 0 {
		t.ProcessName = path.Base(t.CommandLine[0])
	}
	if len(t.CommandLine) > 0 {
		t.BinaryPath = t.CommandLine[0]
	}
	t.finish()
	return t, nil
}

func (r *protoReader) field(v value) error {
	t := &r.t
	if v.typ == protowire.VarintType {
		r.seen = true
		switch v.num {
		case fArch:
			t.Arch = archNames[v.u]
		case fPID:
			t.PID = int64(uint32(v.u))
		case fTID:
			t.TID = int64(uint32(v.u))
		case fUID:
			t.UID = int64(uint32(v.u))
		case fProcessUptime:
			t.ProcessUptime = int64(uint32(v.u))
		}
		return nil
	}
	if v.typ != protowire.BytesType {
		return nil
	}
	switch v.num {
	case fBuildFingerprint:
		t.BuildFingerprint = v.str()
	case fRevision:
		t.Revision = v.str()
	case fTimestamp:
		t.Timestamp = v.str()
	case fSELinuxLabel:
		t.SELinuxLabel = v.str()
	case fCommandLine:
		t.CommandLine = append(t.CommandLine, v.str())
	case fExecutableName:
		t.Executable = v.str()
	case fSignal:
		return each(v.data, t.Signal.field)
	case fAbortMessage:
		t.AbortMessage = v.str()
	case fCauses:
		return r.cause(v.data)
	case fThreads:
		return r.thread(v.data)
	}
	return nil
}

func (s *Signal) field(v value) error {
	switch {
	case v.num == fSigNumber && v.typ == protowire.VarintType:
		s.Number = int(int32(v.u))
	case v.num == fSigName && v.typ == protowire.BytesType:
		s.Name = v.str()
	case v.num == fSigCode && v.typ == protowire.VarintType:
		s.Code = int(int32(v.u))
	case v.num == fSigCodeName && v.typ == protowire.BytesType:
		s.CodeName = v.str()
	}
	return nil
}

// cause reads one Cause; every one is kept (MVT #863).
func (r *protoReader) cause(b []byte) error {
	var c Cause
	err := each(b, func(v value) error {
		switch {
		case v.num == fCauseHumanReadable && v.typ == protowire.BytesType:
			c.HumanReadable = v.str()
		case v.num == fCauseMemoryError && v.typ == protowire.BytesType:
			c.MemoryError = &MemoryError{}
			return each(v.data, c.MemoryError.field)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.t.addCause(c)
	return nil
}

func (m *MemoryError) field(v value) error {
	switch {
	case v.num == fMemTool && v.typ == protowire.VarintType:
		m.Tool = enumName(memoryTools, v.u)
	case v.num == fMemType && v.typ == protowire.VarintType:
		m.Type = enumName(memoryErrorTypes, v.u)
	case v.num == fMemHeap && v.typ == protowire.BytesType:
		return each(v.data, func(h value) error {
			if h.typ != protowire.VarintType {
				return nil
			}
			switch h.num {
			case fHeapAddress:
				m.HeapAddress = h.u
			case fHeapSize:
				m.HeapSize = h.u
			case fHeapAllocTID:
				m.AllocationTID = h.u
			case fHeapDeallocTID:
				m.DeallocationTID = h.u
			}
			return nil
		})
	}
	return nil
}

// enumName names an enum value, or gives its number when this reader does
// not know it.
func enumName(names map[uint64]string, v uint64) string {
	if s, ok := names[v]; ok {
		return s
	}
	return fmt.Sprint(v)
}

// thread reads one map<uint32, Thread> entry: id → thread name.
func (r *protoReader) thread(b []byte) error {
	var key, id uint64
	var name string
	err := each(b, func(v value) error {
		switch {
		case v.num == fEntryKey && v.typ == protowire.VarintType:
			key = v.u
		case v.num == fEntryValue && v.typ == protowire.BytesType:
			return each(v.data, func(g value) error {
				switch {
				case g.num == fThreadID && g.typ == protowire.VarintType:
					id = g.u
				case g.num == fThreadName && g.typ == protowire.BytesType:
					name = g.str()
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
	if len(r.threads) < maxThreads {
		r.threads[uint64(uint32(id))] = name
	}
	return nil
}
