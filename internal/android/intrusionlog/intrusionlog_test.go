package intrusionlog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestEpochUnits(t *testing.T) {
	want := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	for _, v := range []string{"1780304400", "1780304400000", "1780304400000000", "1780304400000000000", "1780304400000.0"} {
		rd := NewReader()
		evs, err := rd.Line([]byte(`{"x_event": {"event_time": ` + v + `}}`))
		if err != nil || len(evs) != 1 || !evs[0].Time.Equal(want) {
			t.Errorf("%s: %v %+v", v, err, evs)
		}
	}
	for _, v := range []string{`0`, `-5`, `"soon"`, `null`, `1e400`} {
		evs, _ := NewReader().Line([]byte(`{"x_event": {"event_time": ` + v + `}}`))
		if len(evs) == 1 && !evs[0].Time.IsZero() {
			t.Errorf("%s gave %v", v, evs[0].Time)
		}
	}
}

func TestDuplicates(t *testing.T) {
	rd := NewReader()
	a := `{"dns_event": {"event_time": 1, "hostname": "a.example", "ip_addresses": ["/1.2.3.4"]}}`
	sameOtherOrder := `{"dns_event": {"ip_addresses": ["/1.2.3.4"], "hostname": "a.example", "event_time": 1}}`
	otherType := `{"connect_event": {"event_time": 1, "hostname": "a.example", "ip_addresses": ["/1.2.3.4"]}}`
	n := 0
	for _, l := range []string{a, sameOtherOrder, otherType, a} {
		evs, err := rd.Line([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		n += len(evs)
	}
	if n != 2 || rd.Duplicates != 2 {
		t.Fatalf("kept %d, duplicates %d", n, rd.Duplicates)
	}
}

// Events that differ only in how their values could be laid end to end
// are told apart: no two distinct events are taken for duplicates.
func TestDuplicatesDistinct(t *testing.T) {
	pairs := [][2]string{
		{`{"a":"bc"}`, `{"ab":"c"}`},
		{`{"a":[1,2]}`, `{"a":[12]}`},
		{`{"a":[[1],2]}`, `{"a":[[1,2]]}`},
		{`{"a":null}`, `{"a":"null"}`},
		{`{"a":true}`, `{"a":"true"}`},
		{`{"a":1}`, `{"a":"1"}`},
		{`{"a":1}`, `{"a":1.0}`},
		{`{"a":{"b":1},"c":2}`, `{"a":{"b":1,"c":2}}`},
		{`{"a":{}}`, `{"a":[]}`},
		{`{"a":""}`, `{"a":{}}`},
	}
	for _, p := range pairs {
		rd := NewReader()
		for _, obj := range p {
			if evs, err := rd.Line([]byte(`{"x_event": ` + obj + `}`)); err != nil || len(evs) != 1 {
				t.Errorf("%s after %s: %v, %d events", obj, p[0], err, len(evs))
			}
		}
	}
}

func TestSecurityForms(t *testing.T) {
	for _, tc := range []struct {
		line, tag, key, val string
		id                  int
	}{
		{`{"security_event": {"event_id": 191, "event_time": 1, "app_process_start": {"process": "com.x", "uid": 10000, "pid": 1}}}`, "app_process_start", "process", "com.x", 210005},
		{`{"security_event": {"event_time": 1, "tag": 210005, "data": ["com.x", 1700000000000, 10000, 1234, "default:targetSdkVersion=34", "ab"]}}`, "app_process_start", "apk_hash", "ab", 210005},
		{`{"security_event": {"event_time": 1, "tag": "TAG_ADB_SHELL_CMD", "data": ["ls"]}}`, "adb_shell_cmd", "command", "ls", 210002},
		{`{"security_event": {"event_time": 1, "cert_validation_failure": "chain validation failed"}}`, "cert_validation_failure", "value", "chain validation failed", 210033},
		{`{"security_event": {"event_time": 1, "tag": 219999, "data": [1, "x"]}}`, "219999", "data_1", "x", 219999},
		{`{"security_event": {"event_time": 1, "future_google_event": {"field": "value"}}}`, "future_google_event", "field", "value", 0},
	} {
		evs, err := NewReader().Line([]byte(tc.line))
		if err != nil || len(evs) != 1 {
			t.Fatalf("%s: %v", tc.line, err)
		}
		e := evs[0]
		if e.Tag != tc.tag || e.TagID != tc.id || e.Str(tc.key) != tc.val {
			t.Errorf("%s: tag %q %d, %s=%q", tc.line, e.Tag, e.TagID, tc.key, e.Str(tc.key))
		}
	}
}

func TestSuccess(t *testing.T) {
	for v, want := range map[string][2]bool{`true`: {true, true}, `false`: {false, true}, `1`: {true, true}, `0`: {false, true}, `"x"`: {false, false}} {
		evs, _ := NewReader().Line([]byte(`{"security_event": {"event_time": 1, "key_generated": {"success": ` + v + `}}}`))
		ok, known := evs[0].Success("success")
		if [2]bool{ok, known} != want {
			t.Errorf("%s: %v %v", v, ok, known)
		}
	}
}

func TestReadAllLines(t *testing.T) {
	long := `{"dns_event": {"event_time": 1, "hostname": "` + strings.Repeat("a", MaxLine) + `"}}`
	in := strings.Join([]string{
		`{"dns_event": {"event_time": 1, "hostname": "a"}}`,
		``,
		`not json`,
		long,
		`[1, 2]`,
		`{"dns_event": "not an object", "connect_event": {"event_time": 2}}`,
		`{"dns_event": {"event_time": 3, "hostname": "b"}}`,
	}, "\r\n")
	var got []int
	var bad []int
	n, err := NewReader().ReadAll(strings.NewReader(in), func(e Event, line int) { got = append(got, line) },
		func(le *LineError) {
			if !errors.Is(le, ErrMalformed) {
				t.Errorf("line %d: %v", le.Line, le.Err)
			}
			bad = append(bad, le.Line)
		})
	if err != nil || n != 5 {
		t.Fatalf("lines %d err %v", n, err)
	}
	if !equal(got, []int{1, 6, 7}) || !equal(bad, []int{3, 4, 5, 6}) {
		t.Fatalf("events on %v, malformed %v", got, bad)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSniff(t *testing.T) {
	for in, want := range map[string]bool{
		"\n\n" + `{"dns_event": {"event_time": 1}}`:       true,
		`{"security_event": {"event_time": 1, "x": {}}}`:  true,
		`{"future_event": {"event_time": 1}}`:             true,
		`{"future_event": {"when": 1}}`:                   false,
		`{"ts": 1, "uid": "C1", "id.orig_h": "10.0.0.1"}`: false,
		"hello world\n": false,
		`[{"pid": 1}]`:  false,
	} {
		if got := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %v", in, got)
		}
	}
}

// FuzzReadAll reads arbitrary input (at most 1 MiB) line by line.
func FuzzReadAll(f *testing.F) {
	for _, b := range androiddata.IntrusionLogs("", true) {
		f.Add(b)
	}
	f.Add([]byte(`{"security_event": {"tag": "1", "data": [[[{}]]], "event_time": "9e18"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		rd := NewReader()
		_, err := rd.ReadAll(bytes.NewReader(b), func(e Event, line int) {
			if line < 1 || e.Type == "" {
				t.Fatalf("event %+v on line %d", e, line)
			}
			_ = e.Str("hostname")
			_ = e.Strs("ip_addresses")
			_, _ = e.Success("success")
		}, func(*LineError) {})
		if err != nil {
			t.Fatal(err)
		}
		_ = Sniff(b)
	})
}

// benchLog is n distinct events in the proportions of a day of a phone's
// log (DNS lookups and connections mostly, some security events), one
// per line, about 164 bytes a line.
func benchLog(n int) []byte {
	var b bytes.Buffer
	t0 := int64(1780304400000)
	for i := range n {
		ms := t0 + int64(i)*37
		switch i % 10 {
		case 0, 1, 2, 3:
			fmt.Fprintf(&b, `{"dns_event":{"event_time":%d,"hostname":"host%d.example.com","ip_addresses":["/192.0.2.%d","/2001:db8::%x"],"package_name":"com.example.app%d","uid":%d}}`+"\n",
				ms, i%5000, i%250, i, i%40, 10000+i%40)
		case 4, 5, 6, 7:
			fmt.Fprintf(&b, `{"connect_event":{"event_time":%d,"ip_address":"/198.51.100.%d","port":%d,"package_name":"com.example.app%d","uid":%d}}`+"\n",
				ms, i%250, 443+i%3, i%40, 10000+i%40)
		case 8:
			fmt.Fprintf(&b, `{"security_event":{"event_id":%d,"event_time":%d000000,"app_process_start":{"process":"com.example.app%d:svc","start_time":%d,"uid":%d,"pid":%d,"seinfo":"default:targetSdkVersion=35","apk_hash":"%064x"}}}`+"\n",
				i, ms, i%40, ms, 10000+i%40, 1000+i, i)
		default:
			fmt.Fprintf(&b, `{"security_event":{"tag":210031,"event_time":%d000000,"data":[1,"PinStorage_crossReboot_key",1001]}}`+"\n", ms)
		}
	}
	return b.Bytes()
}

// BenchmarkReadAll reads 100,000 distinct events (the daily files of a
// busy phone), then the same events again as an overlapping file whose
// every line is a duplicate.
func BenchmarkReadAll(b *testing.B) {
	log := benchLog(100_000)
	for _, c := range []struct {
		name   string
		passes int
	}{{"distinct", 1}, {"with-duplicates", 2}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(log) * c.passes))
			b.ReportAllocs()
			for b.Loop() {
				rd, events := NewReader(), 0
				for range c.passes {
					if _, err := rd.ReadAll(bytes.NewReader(log), func(Event, int) { events++ }, func(le *LineError) { b.Fatal(le) }); err != nil {
						b.Fatal(err)
					}
				}
				if events != 100_000 || rd.Duplicates != 100_000*(c.passes-1) {
					b.Fatalf("%d events, %d duplicates", events, rd.Duplicates)
				}
			}
		})
	}
}

// Lines of real exports published with AndroDR's tests (Apache-2.0; see
// testdata/androdr/SOURCES.md), against answers read from their text: the
// type, tag and time of every event, and each documented field found under
// the name the export gives it.
func TestRealExportLines(t *testing.T) {
	type field struct{ name, want string }
	cases := []struct {
		file string
		want []struct {
			typ, tag string
			tagID    int
			time     string
			fields   []field
		}
	}{
		{"parser-test.txt", []struct {
			typ, tag string
			tagID    int
			time     string
			fields   []field
		}{
			{DNS, "", 0, "2026-08-22T12:05:45.334Z", []field{{"hostname", "scs-apne2.bixbyllm.com"}, {"package_name", "com.samsung.android.intellivoiceservice"}, {"ip_addresses_count", "1"}}},
			{Connect, "", 0, "2026-08-22T12:05:45.54Z", []field{{"ip_address", "/34.160.125.113"}, {"port", "443"}, {"package_name", "com.samsung.android.intellivoiceservice"}}},
		}},
		{"export-shape.txt", []struct {
			typ, tag string
			tagID    int
			time     string
			fields   []field
		}{
			{DNS, "", 0, "2026-08-22T12:05:45.334Z", []field{{"hostname", "scs.example-llm.com"}, {"package_name", "com.example.assistant"}}},
			{Connect, "", 0, "2026-08-22T12:05:45.54Z", []field{{"ip_address", "/34.160.125.113"}, {"port", "443"}}},
			{Security, "app_process_start", 210005, "2026-08-22T12:15:13.855464305Z", []field{{"process", "com.example.browser:sandboxed_process0"}, {"uid", "99219"}, {"pid", "23846"}, {"apk_hash", "Failed to count APK hash"}}},
			{Security, "user_restriction_added", 210027, "2026-08-22T12:15:17.765736231Z", []field{{"admin_package", "NULL"}, {"admin_user_id", "0"}, {"restriction", "no_cellular_2g"}}},
			{Security, "keyguard_dismissed", 210006, "2026-08-22T12:15:17.764225189Z", nil},
			{Security, "bluetooth_connection", 210039, "2026-08-22T12:15:20Z", []field{{"mac_address", "AA:BB:CC:DD:EE:FF"}}},
			{Security, "key_generated", 210024, "2026-08-22T12:15:21Z", []field{{"key_id", "example_key"}, {"uid", "10042"}}},
			{Security, "key_destruction", 210026, "2026-08-22T12:15:22Z", []field{{"key_id", "example_key"}}},
			{Security, "logging_started", 210011, "2026-08-22T12:15:23Z", nil},
			{Security, "package_updated", 210042, "2026-08-22T12:15:24Z", []field{{"package_name", "com.example.browser"}, {"version_code", "142"}, {"uid", "99219"}}},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "androdr", c.file))
			if err != nil {
				t.Fatal(err)
			}
			var got []Event
			var bad []*LineError
			lines, err := NewReader().ReadAll(bytes.NewReader(b), func(e Event, _ int) { got = append(got, e) }, func(e *LineError) { bad = append(bad, e) })
			if err != nil || len(bad) > 0 || lines != len(c.want) || len(got) != len(c.want) {
				t.Fatalf("lines %d events %d bad %v err %v", lines, len(got), bad, err)
			}
			for i, w := range c.want {
				e := got[i]
				wt, _ := time.Parse(time.RFC3339Nano, w.time)
				if e.Type != w.typ || e.Tag != w.tag || e.TagID != w.tagID || !e.Time.Equal(wt) {
					t.Errorf("event %d: %s %q %d %v, want %s %q %d %v", i, e.Type, e.Tag, e.TagID, e.Time, w.typ, w.tag, w.tagID, wt)
				}
				for _, f := range w.fields {
					if g := e.Str(f.name); g != f.want {
						t.Errorf("event %d (%s): %s = %q, want %q", i, w.tag, f.name, g, f.want)
					}
				}
			}
			if ok, known := got[len(got)-1].Success("success"); c.file == "export-shape.txt" && (known || ok) {
				t.Errorf("package_updated has no success field, got %v %v", ok, known)
			}
		})
	}
	// An exported name stands for a documented field only where the tag
	// documents it: package_updated's "package" is its package, not a
	// device admin; a DNS event's fields keep their own names.
	evs, err := NewReader().Line([]byte(`{"security_event":{"event_time":1787400924000000000,"package_updated":{"package":"com.example.browser"}}}`))
	if err != nil || len(evs) != 1 || evs[0].Str("admin_package") != "" || evs[0].Str("package_name") != "com.example.browser" {
		t.Errorf("%v %+v", err, evs)
	}
	evs, err = NewReader().Line([]byte(`{"dns_event":{"event_time":1787400345334,"package":"com.example"}}`))
	if err != nil || len(evs) != 1 || evs[0].Str("package_name") != "" {
		t.Errorf("%v %+v", err, evs)
	}
	evs, err = NewReader().Line([]byte(`{"security_event":{"event_time":1787400921000000000,"key_generated":{"success":0,"key_id":"k","uid":1}}}`))
	if ok, known := evs[0].Success("success"); err != nil || !known || ok {
		t.Errorf("%v success %v %v", err, ok, known)
	}
}
