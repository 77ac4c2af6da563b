package aqffiles

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

// BenchmarkDecode50k decodes 50,000 files.json entries (fast path).
func BenchmarkDecode50k(b *testing.B) {
	data := androiddata.FilesJSON(androiddata.Options{Files: 50000})
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		n := 0
		if err := Decode(context.Background(), bytes.NewReader(data), func(File) { n++ }); err != nil || n != 50005 {
			b.Fatal(err, n)
		}
	}
}

// BenchmarkDecode50kEncodingJSON is the same with encoding/json's Decoder.
func BenchmarkDecode50kEncodingJSON(b *testing.B) {
	data := androiddata.FilesJSON(androiddata.Options{Files: 50000})
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		dec := json.NewDecoder(bytes.NewReader(data))
		if _, err := dec.Token(); err != nil {
			b.Fatal(err)
		}
		n := 0
		for dec.More() {
			var r raw
			if err := dec.Decode(&r); err != nil {
				b.Fatal(err)
			}
			_ = r.file()
			n++
		}
		if n != 50005 {
			b.Fatal(n)
		}
	}
}

// Entries as androidqf writes them take the fast path.
func TestGeneratedEntriesAreFlat(t *testing.T) {
	o := objects{br: bufioReader(androiddata.FilesJSON(androiddata.Options{Files: 10}))}
	if c, _ := o.br.ReadByte(); c != '[' {
		t.Fatal("not an array")
	}
	o.array = true
	n := 0
	for {
		b, err := o.next()
		if err != nil {
			break
		}
		var r raw
		if err := parseFlat(b, &r); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		n++
	}
	if n != 15 {
		t.Fatalf("%d entries", n)
	}
}

// BenchmarkObjects50k splits 50,000 files.json entries into their objects
// (the first of Decode's two passes over each entry).
func BenchmarkObjects50k(b *testing.B) {
	data := androiddata.FilesJSON(androiddata.Options{Files: 50000})
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		br := bufio.NewReaderSize(bytes.NewReader(data), 256<<10)
		if c, err := br.ReadByte(); err != nil || c != '[' {
			b.Fatal(c, err)
		}
		o := objects{br: br, array: true}
		n := 0
		for {
			if _, err := o.next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 50005 {
			b.Fatal(n)
		}
	}
}
