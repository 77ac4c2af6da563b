package tombstone

import (
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestText(t *testing.T) {
	tb, err := Parse(androiddata.TombstoneText())
	if err != nil {
		t.Fatal(err)
	}
	if tb.Format != "text" || tb.PID != 9850 || tb.TID != 9893 || tb.UID != 2000 || tb.ProcessName != "UsbFfs-worker" ||
		tb.BinaryPath != "/apex/com.android.adbd/bin/adbd" || tb.Signal.Name != "SIGABRT" || tb.Signal.Code != -1 ||
		len(tb.CommandLine) != 2 || tb.ProcessUptime != 12 || tb.Arch != "arm64" {
		t.Fatalf("%+v", tb)
	}
	if want := time.Date(2024, 5, 19, 20, 10, 1, 518290770, time.UTC); !tb.Time.Equal(want) {
		t.Errorf("time %v", tb.Time)
	}
}

func TestProto(t *testing.T) {
	tb, err := Parse(androiddata.TombstoneProto())
	if err != nil {
		t.Fatal(err)
	}
	if tb.Format != "protobuf" || tb.PID != 4242 || tb.TID != 4243 || tb.UID != 0 || tb.ProcessName != androiddata.StalkerAppID+":daemon" ||
		tb.Signal.Name != "SIGSEGV" || tb.Signal.Number != 11 || tb.SELinuxLabel != "u:r:su:s0" || tb.Cause != "null pointer dereference" ||
		len(tb.CommandLine) != 2 || tb.Arch != "arm64" || tb.ProcessUptime != 3600 {
		t.Fatalf("%+v", tb)
	}
	if want := time.Date(2024, 5, 19, 21, 41, 7, 123456, time.UTC); !tb.Time.Equal(want) {
		t.Errorf("time %v", tb.Time)
	}
}

func TestBad(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("hello"), {0x0a, 0xff}, {0x0b}, {0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}} {
		if _, err := Parse(b); err == nil {
			t.Errorf("%q accepted", b)
		}
	}
	// A truncated protobuf tombstone is refused, not half-read silently.
	pb := androiddata.TombstoneProto()
	if _, err := ParseProto(pb[:len(pb)-3]); err == nil {
		t.Error("truncated protobuf accepted")
	}
}

func FuzzParseProto(f *testing.F) {
	f.Add(androiddata.TombstoneProto())
	f.Add([]byte{0x08, 0x01, 0x82, 0x01, 0x02, 0x08, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseProto(b)
	})
}

func FuzzParseText(f *testing.F) {
	f.Add(androiddata.TombstoneText())
	f.Add([]byte("pid: , tid: x, name: >>> <<<\nsignal (\nsignal 1 (A), code\nuid: -"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseText(b)
	})
}
