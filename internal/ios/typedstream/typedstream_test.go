package typedstream

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Real iMessage attributedBody values with the strings and URLs that
// crabstep's own tests assert (see testdata/SOURCES.md).
func TestKnownMessageBodies(t *testing.T) {
	long := "Sed nibh velit, sodales et facilisis ut, sodales id libero."
	tests := []struct {
		file   string
		text   string // exact, unless prefix is set
		prefix bool
		links  []string
	}{
		{file: "AttributedBodyTextOnly", text: "Noter test"},
		{file: "AttributedBodyTextOnly2", text: "Test 3"},
		{file: "0123456789", text: "0123456789", links: []string{"tel:0123456789"}},
		{file: "35123", text: "0123456789\nBold Italics Underline Strikethrough\u00a0\u00a0Big Small Shake Nod Explode Ripple Bloom Jitter",
			links: []string{"tel:0123456789"}},
		{file: "AppleMusicLyrics", text: "https://music.apple.com/us/lyrics/1329891623?ts=11.108&te=16.031&l=en&tk=2.v1.VsuX9f%2BaT1PyrgMgIT7ANQ%3D%3D&itsct=sharing_msg_lyrics&itscg=50401",
			links: []string{"https://music.apple.com/us/lyrics/1329891623?ts=11.108&te=16.031&l=en&tk=2.v1.VsuX9f%2BaT1PyrgMgIT7ANQ%3D%3D&itsct=sharing_msg_lyrics&itscg=50401"}},
		{file: "AppMessage", text: "\ufffc"},
		{file: "Arabic", text: "أهلا\u064b بالعالم"},
		{file: "Array", text: "A single ChatGPT instance takes 5MW of power to run"},
		{file: "Attachment", text: "\ufffcThis is how the notes look to me fyi, in case it helps make sense of anything"},
		{file: "AttachmentI16", text: "\ufffc"},
		{file: "Blank", text: ""},
		{file: "Code", text: "000123 is your security code. Don't share your code."},
		{file: "CustomTapback", text: "Reacted with a sticker to “Like I wonder if the stickers can be reactions ”\ufffc"},
		{file: "Date", text: "Hi. Right now or tomorrow?"},
		{file: "EditedWithFormatting", text: "Test"},
		{file: "Email", text: "asdfghjklq@gmail.com might work", links: []string{"mailto:asdfghjklq@gmail.com"}},
		{file: "Flight", text: "AS 1111"},
		{file: "Formatted", text: "Big small"},
		{file: "LongMessage", text: long, prefix: true},
		{file: "Mention", text: "Test Dad "},
		{file: "MultiPart", text: "\ufffctest 1\ufffctest 2 \ufffctest 3"},
		{file: "OverlappingFormat", text: "8:00 pm"},
		{file: "PhoneNumber", text: "What about 0000000000", links: []string{"tel:0000000000"}},
		{file: "StyledLink", text: "https://github.com/ReagentX/imessage-exporter/discussions/553",
			links: []string{"https://github.com/ReagentX/imessage-exporter/discussions/553"}},
		{file: "TextStylesSingleRange", text: "Everything"},
		{file: "Tracking", text: "1Z999AA10123456784"},
		{file: "Transcription", text: "\ufffc"},
		{file: "URL", text: "https://github.com/ReagentX/Logria", links: []string{"https://github.com/ReagentX/Logria"}},
		{file: "URLMessage", text: "https://twitter.com/xxxxxxxxx/status/0000223300009216128",
			links: []string{"https://twitter.com/xxxxxxxxx/status/0000223300009216128"}},
		{file: "WeirdText", text: "𝖍𝖊𝖑𝖑𝖔 𝖜𝖔𝖗𝖑𝖉"},
		{file: "foundation/NSString", text: "Hello, world"},
		{file: "foundation/NSMutableString", text: "Hello, world"},
		{file: "foundation/NSAttributedString", text: "Hello, world"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a, err := AttributedString(readSample(t, "crabstep/"+tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if tt.prefix && !strings.HasPrefix(a.Text, tt.text) || !tt.prefix && a.Text != tt.text {
				t.Errorf("text %q, want %q", a.Text, tt.text)
			}
			if !slices.Equal(a.Links, tt.links) {
				t.Errorf("links %q, want %q", a.Links, tt.links)
			}
		})
	}
	// The long message's string has a 2-byte length (0x81 + little-endian u16).
	a, _ := AttributedString(readSample(t, "crabstep/LongMessage"))
	if !strings.HasSuffix(a.Text, "Curabitur consectetur cursus sem nec accumsan.") || strings.Count(a.Text, "\n") != 3 {
		t.Errorf("LongMessage ends %q with %d line breaks", a.Text[max(0, len(a.Text)-50):], strings.Count(a.Text, "\n"))
	}
}

// Every real message body decodes to the end: crabstep reads all but the
// damaged ExtraData.
func TestAllMessageBodiesDecode(t *testing.T) {
	files, err := filepath.Glob("testdata/crabstep/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() || filepath.Base(f) == "LICENSE" {
			continue
		}
		n++
		s, err := Decode(readSample(t, "crabstep/"+filepath.Base(f)))
		if filepath.Base(f) == "ExtraData" {
			if !errors.Is(err, ErrTruncated) {
				t.Errorf("ExtraData: err %v, want ErrTruncated", err)
			}
			continue
		}
		if err != nil || len(s.Groups) != 1 || s.SystemVersion != 1000 || s.BigEndian {
			t.Errorf("%s: %v, stream %+v", f, err, s)
		}
	}
	if n < 40 {
		t.Errorf("only %d samples", n)
	}
}

// A body damaged after its text keeps the text; a body damaged inside it
// gives an error and no invented text.
func TestDamagedBody(t *testing.T) {
	a, err := AttributedString(readSample(t, "crabstep/ExtraData"))
	if !errors.Is(err, ErrTruncated) || a.Text != "" {
		t.Errorf("ExtraData: %q, %v", a.Text, err)
	}
	full := readSample(t, "crabstep/URL")
	cut := bytes.Index(full, []byte("__kIMLinkAttributeName"))
	a, err = AttributedString(full[:cut])
	if !errors.Is(err, ErrTruncated) || a.Text != "https://github.com/ReagentX/Logria" {
		t.Errorf("cut after the text: %q, %v", a.Text, err)
	}
	for n := range len(full) {
		a, err := AttributedString(full[:n])
		if err == nil {
			t.Fatalf("prefix of %d bytes decoded without error", n)
		}
		if a.Text != "" && a.Text != "https://github.com/ReagentX/Logria" {
			t.Fatalf("prefix of %d bytes: text %q", n, a.Text)
		}
	}
}

// Foundation objects archived by NSArchiver, with the values of crabstep's
// generator script.
func TestFoundationSamples(t *testing.T) {
	root := func(t *testing.T, name string) *Object {
		t.Helper()
		s, err := Decode(readSample(t, "crabstep/foundation/"+name))
		if err != nil {
			t.Fatal(err)
		}
		o := rootObject(s)
		if o == nil {
			t.Fatalf("%s: no root object", name)
		}
		return o
	}
	// NSNumber: a '*' group naming the C type, then a group of that type.
	number := func(t *testing.T, name, ctype string) Value {
		o := root(t, name)
		if !o.Class.Is("NSNumber") || !o.Class.Is("NSValue") || len(o.Groups) != 2 ||
			firstValue(o.Groups[0]) != CString(ctype) || o.Groups[1].Types[0] != ctype {
			t.Fatalf("%s: %+v", name, o)
		}
		return firstValue(o.Groups[1])
	}
	if v := number(t, "NumberInt64", "q"); v != int64(-9_000_000_000) {
		t.Errorf("NumberInt64 = %v", v)
	}
	if v := number(t, "NumberInt", "i"); v != int64(42) {
		t.Errorf("NumberInt = %v", v)
	}
	if v := number(t, "NumberDouble", "d"); v != 100.5 {
		t.Errorf("NumberDouble = %v", v)
	}
	if v := number(t, "NumberFloat", "f"); v != 3.5 {
		t.Errorf("NumberFloat = %v", v)
	}
	if o := root(t, "NSDate"); !o.Class.Is("NSDate") || firstValue(o.Groups[0]) != float64(21692800) {
		t.Errorf("NSDate %+v", o.Groups)
	}
	if o := root(t, "NSDateFractional"); firstValue(o.Groups[0]) != 700000000.523 {
		t.Errorf("NSDateFractional %+v", o.Groups)
	}
	if u, ok := urlOf(root(t, "NSURL"), 0); !ok || u != "https://example.com/path?q=1" {
		t.Errorf("NSURL %q", u)
	}
	if u, ok := urlOf(root(t, "NSURLRelative"), 0); !ok || u != "https://example.com/dir/page.html" {
		t.Errorf("NSURLRelative %q", u)
	}
	o := root(t, "NSData")
	if !o.Class.Is("NSData") || !slices.ContainsFunc(o.Groups, func(g Group) bool {
		b, _ := firstValue(g).([]byte)
		return bytes.Equal(b, []byte{0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x7F})
	}) {
		t.Errorf("NSData %+v", o.Groups)
	}
	// NSArray ["a", 1, "b"]: a count, then one object per element.
	o = root(t, "NSArray")
	var strs []string
	for _, g := range o.Groups[1:] {
		if s, ok := stringOf(objectIn(g)); ok {
			strs = append(strs, s)
		}
	}
	if firstValue(o.Groups[0]) != int64(3) || !slices.Equal(strs, []string{"a", "b"}) {
		t.Errorf("NSArray %v %q", firstValue(o.Groups[0]), strs)
	}
	files, _ := filepath.Glob("testdata/crabstep/foundation/*")
	for _, f := range files {
		if _, err := Decode(readSample(t, "crabstep/foundation/"+filepath.Base(f))); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// python-typedstream's samples are read to the end, as its tests do.
func TestPythonTypedstreamSamples(t *testing.T) {
	for _, name := range []string{"Emacs.clr", "Empty2D macOS 10.14.gcx", "Empty2D macOS 13.gcx"} {
		s, err := Decode(readSample(t, "python-typedstream/"+name))
		if err != nil || len(s.Groups) == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	s, _ := Decode(readSample(t, "python-typedstream/Emacs.clr"))
	colors := 0
	for _, g := range s.Groups {
		for _, v := range g.Values {
			if o, ok := v.(*Object); ok && o.Class.Is("NSColor") {
				colors++
			}
		}
	}
	if colors == 0 {
		t.Error("Emacs.clr: no NSColor")
	}
}

// The byte string of python-typedstream's tests, and the same archive in
// big-endian form (signature "typedstream", multi-byte integers reversed).
func TestSpecExamples(t *testing.T) {
	le := []byte("\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x08NSString\x01\x84\x84\x08NSObject\x00\x85\x84\x01+\x0cstring value\x86")
	be := []byte("\x04\x0btypedstream\x81\x03\xe8\x84\x01@\x84\x84\x84\x08NSString\x01\x84\x84\x08NSObject\x00\x85\x84\x01+\x0cstring value\x86")
	for _, tt := range []struct {
		name string
		data []byte
		big  bool
	}{{"little-endian", le, false}, {"big-endian", be, true}} {
		s, err := Decode(tt.data)
		if err != nil || s.SystemVersion != 1000 || s.BigEndian != tt.big {
			t.Fatalf("%s: %+v %v", tt.name, s, err)
		}
		o := rootObject(s)
		if o.Class.Name != "NSString" || o.Class.Version != 1 || o.Class.Super.Name != "NSObject" || o.Class.Super.Super != nil {
			t.Errorf("%s: class chain %+v", tt.name, o.Class)
		}
		a, err := AttributedString(tt.data)
		if err != nil || a.Text != "string value" {
			t.Errorf("%s: %q %v", tt.name, a.Text, err)
		}
	}
}

// nested builds an archive of n objects of class Foo, each holding the
// next; the innermost holds nil. With self set, the innermost holds a
// reference to the outermost instead.
func nested(n int, self bool) []byte {
	b := []byte("\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@")
	b = append(b, 0x84, 0x84, 0x84, 3, 'F', 'o', 'o', 0, 0x85) // object #0, class #1
	for i := 1; i < n; i++ {
		b = append(b, 0x92, 0x84, 0x93) // group "@", new object of class #1
	}
	if self {
		b = append(b, 0x92, 0x92) // group "@", reference to object #0
	} else {
		b = append(b, 0x92, 0x85) // group "@", nil
	}
	for range n {
		b = append(b, 0x86)
	}
	return b
}

func TestLimitsAndHostileInput(t *testing.T) {
	if _, err := Decode(nested(60, false)); err != nil {
		t.Errorf("60 nested objects: %v", err)
	}
	if _, err := Decode(nested(200, false)); !errors.Is(err, ErrLimit) {
		t.Errorf("200 nested objects: %v", err)
	}
	// An object holding itself: decoding and the link walk both end.
	a, err := AttributedString(nested(1, true))
	if !errors.Is(err, ErrMalformed) || a.Text != "" {
		t.Errorf("self-reference: %q %v", a.Text, err)
	}
	if _, err := DecodeLimits(readSample(t, "crabstep/HugeWithRefs"), Limits{MaxBytes: 1 << 10}); !errors.Is(err, ErrLimit) {
		t.Errorf("size limit: %v", err)
	}
	if _, err := DecodeLimits(readSample(t, "crabstep/HugeWithRefs"), Limits{MaxValues: 100}); !errors.Is(err, ErrLimit) {
		t.Errorf("value limit: %v", err)
	}
	hdr := "\x04\x0bstreamtyped\x81\xe8\x03"
	for _, tt := range []struct {
		name string
		data string
		want error
	}{
		{"empty", "", ErrNotTypedstream},
		{"keyed archive", "bplist00\xd4\x01\x02", ErrNotTypedstream},
		{"wrong version", "\x03\x0bstreamtyped\x81\xe8\x03", ErrNotTypedstream},
		{"header only", hdr, nil},
		{"string reference before any string", hdr + "\x92", ErrMalformed},
		{"object reference to nothing", hdr + "\x84\x01@\x95", ErrMalformed},
		{"class reference to a C string", hdr + "\x84\x01*\x84\x84\x01x\x92\x84\x01@\x84\x92", ErrMalformed},
		{"unknown type", hdr + "\x84\x01Z", ErrMalformed},
		{"unterminated struct", hdr + "\x84\x02{a", ErrMalformed},
		{"array longer than the data", hdr + "\x84\x06[999i]\x01", ErrTruncated},
		{"byte array longer than the data", hdr + "\x84\x06[999c]\x01", ErrTruncated},
		{"string longer than the data", hdr + "\x84\x01+\x82\xff\xff\xff\x7f", ErrTruncated},
		{"bad boolean", hdr + "\x84\x01B\x07", ErrMalformed},
		{"object without end", hdr + "\x84\x01@\x84\x84\x84\x01X\x00\x85", ErrTruncated},
		{"tag as an integer", hdr + "\x84\x01i\x84", ErrMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.data))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err %v, want %v", err, tt.want)
			}
		})
	}
}

func TestScalarsAndStructs(t *testing.T) {
	// A group "{_NSPoint=ff}[2s]Bq" with a point (1.5, 2), two shorts (-2, 300),
	// true and a 4-byte integer.
	data := []byte("\x04\x0bstreamtyped\x81\xe8\x03\x84\x13{_NSPoint=ff}[2s]Bq" +
		"\x83\x00\x00\xc0\x3f\x02" + "\xfe\x81\x2c\x01" + "\x01" + "\x82\x00\x00\x00\x40")
	s, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	g := s.Groups[0]
	want := []string{"{_NSPoint=ff}", "[2s]", "B", "q"}
	if !slices.Equal(g.Types, want) {
		t.Fatalf("types %q", g.Types)
	}
	pt, _ := g.Values[0].(Struct)
	arr, _ := g.Values[1].([]Value)
	if pt.Name != "_NSPoint" || !slices.Equal(pt.Fields, []Value{1.5, 2.0}) || !slices.Equal(arr, []Value{int64(-2), int64(300)}) ||
		g.Values[2] != true || g.Values[3] != int64(1<<30) {
		t.Errorf("values %#v", g.Values)
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"crabstep/AttributedBodyTextOnly", "crabstep/URL", "crabstep/35123", "crabstep/foundation/NSURLRelative",
		"crabstep/foundation/NumberInt64", "crabstep/foundation/NSDictionaryNested"} {
		f.Add(readSample(f, name))
	}
	f.Add(nested(3, true))
	lim := Limits{MaxBytes: 64 << 10, MaxDepth: 32, MaxValues: 20000}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeLimits(b, lim)
		if err != nil && !errors.Is(err, ErrNotTypedstream) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
			t.Fatalf("unclassified error %v", err)
		}
		if s != nil && err == nil {
			if root := rootObject(s); root != nil {
				_ = links(root, 1)
				_ = links(root, 2)
			}
		}
		if len(b) <= lim.MaxBytes {
			got, gerr := AttributedString(b) // a pooled decoder, with recent shared strings
			want, werr := attributedFresh(b)
			if got.Text != want.Text || !slices.Equal(got.Links, want.Links) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Fatalf("pooled %q %q %v, a new decoder %q %q %v", got.Text, got.Links, gerr, want.Text, want.Links, werr)
			}
		}
	})
}

func BenchmarkAttributedString(b *testing.B) {
	for _, name := range []string{"AttributedBodyTextOnly", "URL", "LongMessage"} {
		data := readSample(b, "crabstep/"+name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := AttributedString(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// AttributedString reuses pooled decoders: results must not depend on what
// a decoder decoded before, from any goroutine.
func TestPooledDecodersConcurrent(t *testing.T) {
	names := []string{"URL", "AttributedBodyTextOnly", "LongMessage", "ExtraData", "HugeWithRefs", "StyledLink", "Arabic"}
	type result struct {
		a   Attributed
		err string
	}
	want := map[string]result{}
	for _, n := range names {
		a, err := AttributedString(readSample(t, "crabstep/"+n))
		want[n] = result{a, fmt.Sprint(err)}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				n := names[(i+g)%len(names)]
				a, err := AttributedString(readSample(t, "crabstep/"+n))
				if w := want[n]; a.Text != w.a.Text || !slices.Equal(a.Links, w.a.Links) || fmt.Sprint(err) != w.err {
					t.Errorf("%s: got %q %q %v, want %q %q %s", n, a.Text, a.Links, err, w.a.Text, w.a.Links, w.err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// attributedFresh is AttributedString with a new decoder: no recent shared
// strings, no reused slabs.
func attributedFresh(data []byte) (Attributed, error) {
	d := &decoder{}
	d.reset(data, DefaultLimits)
	return attributed(d.decode())
}

// TestRecentStringsAsFresh: one decoder that decoded other bodies before
// (its recent shared strings then match at some indexes and not at
// others) gives what a new decoder gives, for every real body, each body
// with its bytes cut at several places, in two orders.
func TestRecentStringsAsFresh(t *testing.T) {
	files, err := filepath.Glob("testdata/crabstep/*")
	if err != nil {
		t.Fatal(err)
	}
	var bodies [][]byte
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() || filepath.Base(f) == "LICENSE" {
			continue
		}
		b := readSample(t, "crabstep/"+filepath.Base(f))
		bodies = append(bodies, b)
		for _, cut := range []int{len(b) / 3, len(b) / 2, len(b) - 1} {
			bodies = append(bodies, b[:cut])
		}
	}
	d := &decoder{}
	for pass := range 2 {
		for i := range bodies {
			b := bodies[i]
			if pass == 1 {
				b = bodies[len(bodies)-1-i]
			}
			d.reset(b, DefaultLimits)
			got, gerr := attributed(d.decode())
			want, werr := attributedFresh(b)
			if got.Text != want.Text || !slices.Equal(got.Links, want.Links) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Fatalf("body %d (pass %d): got %q %q %v, a new decoder %q %q %v", i, pass, got.Text, got.Links, gerr, want.Text, want.Links, werr)
			}
		}
	}
	if len(d.recent) == 0 || len(d.recent) > maxRecent {
		t.Errorf("%d recent shared strings", len(d.recent))
	}
}

// TestTextInvalidUTF8: a body's text with bytes that are not UTF-8 (a
// stray byte, a cut sequence, an encoded surrogate, an overlong form) comes
// back as strings.ToValidUTF8 gives it, and valid text as it is.
func TestTextInvalidUTF8(t *testing.T) {
	body := readSample(t, "crabstep/AttributedBodyTextOnly")
	const text = "Noter test"
	at := bytes.Index(body, []byte(text))
	if at < 0 {
		t.Fatalf("%q not in the sample", text)
	}
	for _, patch := range []string{"\xff", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "é", "✓", "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80"} {
		b := slices.Clone(body)
		copy(b[at:], patch) // the same length: the stream stays well formed
		raw := string(b[at : at+len(text)])
		got, err := AttributedString(b)
		if err != nil {
			t.Fatalf("%q: %v", patch, err)
		}
		if want := strings.ToValidUTF8(raw, "\uFFFD"); got.Text != want {
			t.Errorf("%q: text %q, want %q", patch, got.Text, want)
		}
	}
}
