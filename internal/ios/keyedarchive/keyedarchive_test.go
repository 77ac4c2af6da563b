package keyedarchive

import (
	"bytes"
	"math"
	"reflect"
	"testing"
	"time"

	"howett.net/plist"
)

func TestRoundTrip(t *testing.T) {
	when := time.Date(2021, 1, 14, 21, 25, 23, 0, time.UTC)
	tests := []struct {
		name string
		in   any
	}{
		{"string", "hello"},
		{"data", []byte{1, 2, 3}},
		{"date", when},
		{"null", nil},
		{"array", []any{"a", []byte("b"), nil}},
		{"dict", map[string]any{"k": "v", "n": []any{"x"}}},
		{"object", Object{Class: "MBFile", Fields: map[string]any{
			"RelativePath": "Library/SMS/sms.db", "Size": int64(42), "Mode": int64(33188),
			"EncryptionKey": []byte{3, 0, 0, 0, 9}, "Extended": map[string]any{"a": []byte("b")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Encode(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.in
			if o, ok := want.(Object); ok { // plist integers come back as uint64
				f := map[string]any{}
				for k, v := range o.Fields {
					if n, ok := v.(int64); ok {
						v = uint64(n)
					}
					f[k] = v
				}
				want = Object{Class: o.Class, Fields: f}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v\nwant %#v", got, want)
			}
		})
	}
}

// TestRealLayout decodes an MBFile laid out as a device writes it (ints
// inline, $class last in $objects).
func TestRealLayout(t *testing.T) {
	doc := map[string]any{
		"$version": 100000, "$archiver": "NSKeyedArchiver",
		"$top": map[string]any{"root": plist.UID(1)},
		"$objects": []any{"$null",
			map[string]any{"LastModified": 1610659523, "Size": 7, "Mode": 33188, "RelativePath": plist.UID(2),
				"EncryptionKey": plist.UID(3), "$class": plist.UID(5), "ProtectionClass": 3},
			"Media/x",
			map[string]any{"NS.data": []byte{3, 0, 0, 0}, "$class": plist.UID(4)},
			map[string]any{"$classname": "NSMutableData", "$classes": []any{"NSMutableData", "NSData", "NSObject"}},
			map[string]any{"$classname": "MBFile", "$classes": []any{"MBFile", "NSObject"}},
		},
	}
	b, err := plist.Marshal(doc, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := v.(Object)
	if !ok || o.Class != "MBFile" {
		t.Fatalf("got %#v", v)
	}
	if o.Fields["RelativePath"] != "Media/x" || !bytes.Equal(o.Fields["EncryptionKey"].([]byte), []byte{3, 0, 0, 0}) {
		t.Errorf("fields %#v", o.Fields)
	}
	if n, _ := Int(o.Fields["Size"]); n != 7 {
		t.Errorf("size %v", o.Fields["Size"])
	}
}

func TestBad(t *testing.T) {
	cyc := map[string]any{"$top": map[string]any{"root": plist.UID(1)}, "$objects": []any{"$null",
		map[string]any{"$class": plist.UID(2), "x": plist.UID(1)},
		map[string]any{"$classname": "Loop"}}}
	tests := []struct {
		name string
		doc  map[string]any
	}{
		{"no objects", map[string]any{"$top": map[string]any{"root": plist.UID(0)}}},
		{"uid out of range", map[string]any{"$top": map[string]any{"root": plist.UID(9)}, "$objects": []any{"$null"}}},
		{"cycle", cyc},
		{"dict mismatch", map[string]any{"$top": map[string]any{"root": plist.UID(1)}, "$objects": []any{"$null",
			map[string]any{"$class": plist.UID(2), "NS.keys": []any{plist.UID(0)}},
			map[string]any{"$classname": "NSDictionary"}}}},
	}
	for _, tt := range tests {
		if _, err := DecodeDocument(tt.doc); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if _, err := Decode([]byte("bplist00garbage")); err == nil {
		t.Error("garbage: no error")
	}
}

func FuzzDecode(f *testing.F) {
	b, _ := Encode(Object{Class: "MBFile", Fields: map[string]any{"a": "b", "k": []byte{1}, "d": map[string]any{"x": []any{time.Unix(0, 0)}}}})
	f.Add(b)
	f.Add([]byte("bplist00"))
	f.Add([]byte(`<?xml version="1.0"?><plist><dict><key>$objects</key><array/></dict></plist>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Decode(data)
	})
}

// TestAppleTimeLargeDates checks the rounding to the microsecond against
// the exact value of the double (computed with math/big): 69527941168.192138671875 s
// after 2001-01-01 is 4204-04-03 12:59:28.192139 (scaling the whole value to
// microseconds first gave .192136).
func TestAppleTimeLargeDates(t *testing.T) {
	tests := []struct {
		bits uint64
		want time.Time
	}{
		{0x4230303030303130, time.Date(4204, 4, 3, 12, 59, 28, 192139000, time.UTC)},
		{math.Float64bits(0.5), time.Date(2001, 1, 1, 0, 0, 0, 500000000, time.UTC)},
		{math.Float64bits(-0.25), time.Date(2000, 12, 31, 23, 59, 59, 750000000, time.UTC)},
		{math.Float64bits(-1.9999996), time.Date(2000, 12, 31, 23, 59, 58, 0, time.UTC)},
		{math.Float64bits(509523358.684097), time.Date(2017, 2, 23, 6, 15, 58, 684097000, time.UTC)},
	}
	for _, tt := range tests {
		f := math.Float64frombits(tt.bits)
		if got := appleTime(f); !got.Equal(tt.want) {
			t.Errorf("appleTime(%v) = %v, want %v", f, got, tt.want)
		}
	}
}
