package tombstone

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
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
	if z, err := os.ReadFile("testdata/sentry-java/tombstone.pb.gz"); err == nil {
		if zr, err := gzip.NewReader(bytes.NewReader(z)); err == nil {
			head := make([]byte, 4096) // the header, a few threads
			if n, _ := io.ReadFull(zr, head); n > 0 {
				f.Add(head[:n])
			}
		}
	}
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

// sentryTombstone is a real protobuf tombstone written by debuggerd on a
// Pixel 6a with Android 16 (testdata/SOURCES.md).
func sentryTombstone(t testing.TB) []byte {
	t.Helper()
	f, err := os.Open("testdata/sentry-java/tombstone.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(io.LimitReader(z, MaxProto))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 388812 {
		t.Fatalf("sample is %d bytes, want 388812", len(b))
	}
	return b
}

// TestProtoKnownAnswer reads a tombstone we did not write and compares with
// answers we did not compute: Sentry's test of the same file, and protoc
// --decode_raw.
func TestProtoKnownAnswer(t *testing.T) {
	b := sentryTombstone(t)
	tb, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	want := Tombstone{
		Format:           "protobuf",
		BuildFingerprint: "google/bluejay/bluejay:16/BP3A.250905.014/13873947:user/release-keys",
		Revision:         "MP1.0",
		Arch:             "arm64",
		Timestamp:        "2025-11-24 16:26:18.007439439+0100",
		Time:             time.Date(2025, 11, 24, 15, 26, 18, 7439439, time.UTC),
		ProcessUptime:    4,
		CommandLine:      []string{"io.sentry.samples.android"},
		PID:              21891,
		TID:              21891,
		UID:              10302,
		ProcessName:      "samples.android", // the crashing thread's name (the last 15 bytes of the app's process name)
		BinaryPath:       "io.sentry.samples.android",
		Executable:       "/system/bin/app_process64",
		SELinuxLabel:     "u:r:untrusted_app:s0:c46,c257,c512,c768", // written with a NUL terminator
		Signal:           Signal{Number: 11, Name: "SIGSEGV", Code: 1, CodeName: "SEGV_MAPERR"},
		Cause:            "null pointer dereference",
		Causes:           []Cause{{HumanReadable: "null pointer dereference"}},
	}
	if !reflect.DeepEqual(tb, want) {
		t.Errorf("got  %+v\nwant %+v", tb, want)
	}
	// Sentry's answer, in its words.
	if got := fmt.Sprintf("Fatal signal %s (%d), %s (%d), pid = %d (%s)", tb.Signal.Name, tb.Signal.Number,
		tb.Signal.CodeName, tb.Signal.Code, tb.PID, tb.CommandLine[0]); got != "Fatal signal SIGSEGV (11), SEGV_MAPERR (1), pid = 21891 (io.sentry.samples.android)" {
		t.Errorf("Sentry's summary: %s", got)
	}
	r := protoReader{threads: map[uint64]string{}}
	if err := each(b, r.field); err != nil {
		t.Fatal(err)
	}
	if len(r.threads) != 62 {
		t.Errorf("%d threads, Sentry counts 62", len(r.threads))
	}
	// Cut anywhere inside, the file is refused or read without panic, never
	// taken for a different crash.
	for _, n := range []int{1, 100, 1000, len(b) / 2, len(b) - 1} {
		if got, err := ParseProto(b[:n]); err == nil && got.PID != 0 && got.PID != 21891 {
			t.Errorf("cut at %d: pid %d", n, got.PID)
		}
	}
}

// TestCauses keeps every cause, in both forms, in the order written (most
// likely first), as debuggerd writes them: one cause in the text header,
// several after the crashing thread's backtrace (MVT #863).
func TestCauses(t *testing.T) {
	pbt, err := ParseProto(androiddata.TombstoneProto())
	if err != nil {
		t.Fatal(err)
	}
	if len(pbt.Causes) != 2 || pbt.Cause != "null pointer dereference" || pbt.Causes[0].MemoryError != nil {
		t.Fatalf("protobuf causes %+v", pbt.Causes)
	}
	me := pbt.Causes[1].MemoryError
	if me == nil || *me != (MemoryError{Tool: "SCUDO", Type: "BUFFER_OVERFLOW", HeapAddress: 0x7da0af00d0, HeapSize: 2856, AllocationTID: 4243}) {
		t.Errorf("memory error %+v", me)
	}
	if pbt.Executable != "/data/local/tmp/"+androiddata.StalkerAppID+"-daemon" {
		t.Errorf("executable %q", pbt.Executable)
	}

	text := strings.Join([]string{
		"*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***",
		"Build fingerprint: 'google/husky/husky:14/AP1A.240305.019/11388410:user/release-keys'",
		"Timestamp: 2024-11-18 17:07:49.613000000+0100",
		"pid: 21887, tid: 21887, name: tint_no_afl  >>> /data/local/tmp/tint_no_afl <<<",
		"uid: 2000",
		"signal 11 (SIGSEGV), code 9 (SEGV_MTESERR), fault addr 0x0b0000da0af00ba8",
		"    x0  0000000000000000  x1  00000000000026a5  x2  0000000000000006",
		"",
		"backtrace:",
		"      #00 pc 00000000000af6c0  /data/local/tmp/tint_no_afl",
		"",
		"Note: multiple potential causes for this crash were detected, listing them in decreasing order of likelihood.",
		"",
		"Cause: [MTE]: Buffer Overflow, 8 bytes right of a 2856-byte allocation at 0x7da0af00d0",
		"allocated by thread 21873:",
		"      #00 pc 000000000004b594  /apex/com.android.runtime/lib64/bionic/libc.so",
		"",
		"Cause: [MTE]: Use After Free, 40 bytes into a 64-byte allocation at 0x7da0af0b80",
		"",
		"memory map (1 entry):",
		"--------- tail end of log main",
		"11-18 17:07:49.613 21887 21887 F DEBUG   : Cause: [MTE]: not a cause of this file",
		"--- --- --- --- --- --- --- --- --- --- --- --- --- --- --- ---",
		"pid: 21887, tid: 21890, name: worker  >>> /data/local/tmp/tint_no_afl <<<",
		"Cause: not this thread's",
		"",
	}, "\n")
	tt, err := ParseText([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	wantText := []Cause{
		{HumanReadable: "[MTE]: Buffer Overflow, 8 bytes right of a 2856-byte allocation at 0x7da0af00d0"},
		{HumanReadable: "[MTE]: Use After Free, 40 bytes into a 64-byte allocation at 0x7da0af0b80"},
	}
	if !reflect.DeepEqual(tt.Causes, wantText) || tt.Cause != wantText[0].HumanReadable || tt.TID != 21887 {
		t.Errorf("text causes %+v (cause %q, tid %d)", tt.Causes, tt.Cause, tt.TID)
	}
	one, err := ParseText(androiddata.TombstoneText())
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Causes) != 0 {
		t.Errorf("causes of a tombstone without one: %+v", one.Causes)
	}
}

// BenchmarkParseProto reads the real 389 KB tombstone (62 threads, 2,851
// mappings): the reader visits every field and decodes the header.
func BenchmarkParseProto(b *testing.B) {
	pb := sentryTombstone(b)
	b.SetBytes(int64(len(pb)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseProto(pb); err != nil {
			b.Fatal(err)
		}
	}
}
