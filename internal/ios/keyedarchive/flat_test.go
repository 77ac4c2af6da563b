package keyedarchive

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"howett.net/plist"
)

var flatNames = []string{"Mode", "Size", "Target", "EncryptionKey", "RelativePath", "Missing", "Birth"}

// flatAsDecode checks DecodeFlat against Decode on data: when DecodeFlat
// takes it on, Decode must give an Object whose fields are the same.
func flatAsDecode(t *testing.T, name string, data []byte) (ok bool) {
	t.Helper()
	vals := make([]any, len(flatNames))
	if !DecodeFlat(data, flatNames, vals) {
		return false
	}
	v, err := Decode(data)
	if err != nil {
		t.Fatalf("%s: DecodeFlat took it on, Decode fails: %v", name, err)
	}
	o, isObj := v.(Object)
	if !isObj {
		t.Fatalf("%s: DecodeFlat took it on, Decode gives %T", name, v)
	}
	for i, n := range flatNames {
		if !reflect.DeepEqual(vals[i], o.Fields[n]) {
			t.Fatalf("%s: field %s: DecodeFlat %#v, Decode %#v", name, n, vals[i], o.Fields[n])
		}
	}
	return true
}

// mbFileDoc is an MBFile archive laid out as a device writes it (ints
// inline, RelativePath, Target and EncryptionKey as objects of their own),
// with random values, and sometimes a field or a layout DecodeFlat leaves
// to Decode.
func mbFileDoc(r *rand.Rand) (doc map[string]any, plain bool) {
	fields := map[string]any{"LastModified": r.Int64N(2e9), "Size": r.Uint64() >> r.IntN(64), "Mode": 0o100644,
		"RelativePath": plist.UID(2), "$class": plist.UID(5), "ProtectionClass": r.IntN(5), "Birth": -r.Int64N(10),
		"EncryptionKey": plist.UID(3), "Target": plist.UID(6), "UserID": 501, "GroupID": 501, "Flags": 0}
	objs := []any{"$null",
		fields,
		"Media/x",
		map[string]any{"NS.data": []byte{3, 0, 0, byte(r.IntN(256))}, "$class": plist.UID(4)},
		map[string]any{"$classname": "NSMutableData", "$classes": []any{"NSMutableData", "NSData", "NSObject"}},
		map[string]any{"$classname": "MBFile", "$classes": []any{"MBFile", "NSObject"}},
		"../target",
		map[string]any{"NS.time": 1.5, "$class": plist.UID(8)},
		map[string]any{"$classname": "NSDate"},
	}
	doc = map[string]any{"$version": 100000, "$archiver": "NSKeyedArchiver", "$top": map[string]any{"root": plist.UID(1)}, "$objects": objs}
	plain = true
	switch r.IntN(12) {
	case 0:
		fields["Target"] = plist.UID(0) // $null
	case 1:
		fields["Size"] = 1.5e300 // a float Int refuses
	case 2:
		fields["Extra"] = plist.UID(7) // an NSDate: left to Decode
		plain = false
	case 3:
		fields["Bad"] = plist.UID(99) // out of range: Decode fails
		plain = false
	case 4:
		objs[5] = map[string]any{"$classname": "NSDictionary"} // another class
		plain = false
	case 5:
		delete(doc["$top"].(map[string]any), "root")
		doc["$top"].(map[string]any)["other"] = plist.UID(1)
		plain = false
	case 6:
		fields["Mode"] = plist.UID(2) // a plain value by reference
	case 7:
		objs[3].(map[string]any)["NS.data"] = "not data"
	case 8:
		fields["EncryptionKey"] = []byte{9, 9} // inline data
	case 9:
		fields["Inline"] = []any{"a", map[string]any{"b": true}} // a plain container
	}
	return doc, plain
}

func TestDecodeFlatAsDecode(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	took := 0
	for i := range 3000 {
		doc, plain := mbFileDoc(r)
		data, err := plist.Marshal(doc, plist.BinaryFormat)
		if err != nil {
			t.Fatal(err)
		}
		ok := flatAsDecode(t, fmt.Sprintf("doc #%d", i), data)
		if plain && !ok {
			t.Fatalf("doc #%d: DecodeFlat left a plain MBFile to Decode: %#v", i, doc)
		}
		if ok {
			took++
		}
		// every cut of the archive: refused or decoded alike
		if i < 50 {
			for n := range len(data) {
				flatAsDecode(t, fmt.Sprintf("doc #%d cut at %d", i, n), data[:n])
			}
		}
	}
	if took < 1500 {
		t.Errorf("DecodeFlat took on %d of 3000 archives", took)
	}
	// Encode's own layout (the generated backups')
	b, err := Encode(Object{Class: "MBFile", Fields: map[string]any{"RelativePath": "a", "Size": int64(3), "Mode": int64(0o40755),
		"EncryptionKey": []byte{1}, "Birth": int64(-5)}})
	if err != nil {
		t.Fatal(err)
	}
	if !flatAsDecode(t, "Encode's MBFile", b) {
		t.Error("DecodeFlat left Encode's MBFile to Decode")
	}
	for _, v := range []any{"plain string", map[string]any{"x": time.Unix(0, 0)}, []any{1}} {
		b, err := Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		if flatAsDecode(t, fmt.Sprintf("%T", v), b) {
			t.Errorf("DecodeFlat took on a %T root", v)
		}
	}
}

func FuzzDecodeFlat(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 1))
	for range 20 {
		doc, _ := mbFileDoc(r)
		b, _ := plist.Marshal(doc, plist.BinaryFormat)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		flatAsDecode(t, "fuzz", data)
	})
}

// BenchmarkMBFile: one device-layout MBFile, through DecodeFlat and Decode.
func BenchmarkMBFile(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	doc, plain := mbFileDoc(r)
	for !plain {
		doc, plain = mbFileDoc(r)
	}
	data, err := plist.Marshal(doc, plist.BinaryFormat)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("DecodeFlat", func(b *testing.B) {
		b.ReportAllocs()
		vals := make([]any, len(flatNames))
		for b.Loop() {
			if !DecodeFlat(data, flatNames, vals) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
