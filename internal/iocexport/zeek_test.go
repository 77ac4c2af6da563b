package iocexport

import (
	"bufio"
	"bytes"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/network/zeeklog"
)

// zeekIntelTypes is Intel::Type as Zeek defines it: ADDR ... PUBKEY_HASH in
// base/frameworks/intel/main.zeek, FILE_HASH and FILE_NAME added by
// base/frameworks/intel/files.zeek.
var zeekIntelTypes = []string{"Intel::ADDR", "Intel::SUBNET", "Intel::URL", "Intel::SOFTWARE", "Intel::EMAIL",
	"Intel::DOMAIN", "Intel::USER_NAME", "Intel::CERT_HASH", "Intel::PUBKEY_HASH", "Intel::FILE_HASH", "Intel::FILE_NAME"}

// zeekUnescape is util::get_unescaped_string: "\xNN" becomes the byte.
func zeekUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// zeekItem is one Intel::Item as Zeek's input framework reads it.
type zeekItemRead struct {
	indicator, typ, source, desc, url string
	descSet, urlSet                   bool
}

// readLikeZeek reads an Intel file the way Zeek's ASCII input reader
// (src/input/readers/ascii/Ascii.cc) and the Intel record types do: lines
// starting with '#' are skipped except "#fields<TAB>", which names the
// columns; every other line is split on the tab separator; "-" is unset,
// "(empty)" an empty string; strings are unescaped. The Intel::Item record
// needs indicator, indicator_type and meta.source; meta.desc and meta.url
// are optional.
func readLikeZeek(t *testing.T, data []byte) []zeekItemRead {
	t.Helper()
	var cols []string
	var out []zeekItemRead
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			continue
		}
		if line[0] == '#' {
			if strings.HasPrefix(line, "#fields\t") {
				cols = strings.Split(line[len("#fields\t"):], "\t")
			}
			continue
		}
		if cols == nil {
			t.Fatalf("line %d: data before the #fields line", n)
		}
		f := strings.Split(line, "\t")
		if len(f) != len(cols) {
			t.Fatalf("line %d: %d fields, header has %d: %q", n, len(f), len(cols), line)
		}
		get := func(name string) (string, bool) {
			i := slices.Index(cols, name)
			if i < 0 || f[i] == "-" {
				return "", false
			}
			if f[i] == "(empty)" {
				return "", true
			}
			return zeekUnescape(f[i]), true
		}
		var it zeekItemRead
		var ok bool
		if it.indicator, ok = get("indicator"); !ok || it.indicator == "" {
			t.Errorf("line %d: indicator unset or empty", n)
		}
		if it.typ, ok = get("indicator_type"); !ok || !slices.Contains(zeekIntelTypes, it.typ) {
			t.Errorf("line %d: indicator_type %q is not an Intel::Type", n, it.typ)
		}
		if it.source, ok = get("meta.source"); !ok || it.source == "" {
			t.Errorf("line %d: meta.source unset (it is not optional)", n)
		}
		it.desc, it.descSet = get("meta.desc")
		it.url, it.urlSet = get("meta.url")
		out = append(out, it)
	}
	return out
}

func TestZeekIntel(t *testing.T) {
	var buf bytes.Buffer
	sum, err := WriteZeekIntel(&buf, mustCollect(t, testSet()))
	if err != nil {
		t.Fatal(err)
	}
	items := readLikeZeek(t, buf.Bytes())
	got := map[string]zeekItemRead{}
	for _, it := range items {
		got[it.typ+" "+it.indicator+" "+it.source] = it
		switch it.typ {
		case ZeekAddr:
			if _, err := netip.ParseAddr(it.indicator); err != nil {
				t.Errorf("Intel::ADDR %q is not an address", it.indicator)
			}
		case ZeekURL:
			if strings.Contains(it.indicator, "://") {
				t.Errorf("Intel::URL %q has a scheme (Zeek's URLs have none)", it.indicator)
			}
		case ZeekCertHash:
			if len(it.indicator) != 40 || !isHex(it.indicator) {
				t.Errorf("Intel::CERT_HASH %q is not a lower-case SHA-1", it.indicator)
			}
		case ZeekFileHash:
			if n := len(it.indicator); (n != 32 && n != 40 && n != 64) || !isHex(it.indicator) {
				t.Errorf("Intel::FILE_HASH %q", it.indicator)
			}
		}
		if !strings.HasPrefix(it.source, "spyscan:") {
			t.Errorf("meta.source %q", it.source)
		}
	}
	for _, want := range []string{
		"Intel::DOMAIN free247downloads.com spyscan:amnesty-investigations",
		"Intel::DOMAIN free247downloads.com spyscan:mvt-indicators",
		"Intel::DOMAIN www.free247downloads.com spyscan:amnesty-investigations",
		"Intel::DOMAIN www.urlpush.net spyscan:amnesty-investigations",
		"Intel::DOMAIN xn--bcher-kva.example spyscan:local;list",
		"Intel::ADDR 198.51.100.7 spyscan:amnesty-investigations",
		"Intel::ADDR 2001:db8::1 spyscan:amnesty-investigations",
		"Intel::URL x.example.com/a/b?c=1 spyscan:amnesty-investigations",
		"Intel::URL y.example.com:8080/p spyscan:local;list",
		"Intel::URL cdn.example.org/payload/ spyscan:local;list",
		"Intel::EMAIL agent@example.com spyscan:amnesty-investigations",
		"Intel::FILE_HASH 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f spyscan:amnesty-investigations",
		"Intel::FILE_NAME payload.apk spyscan:amnesty-investigations",
		"Intel::CERT_HASH 0ddb34f875632c7e1ec09d75827f82d2336dfeb6 spyscan:amnesty-investigations",
	} {
		if _, ok := got[want]; !ok {
			t.Errorf("no item %q", want)
		}
	}
	if _, ok := got["Intel::DOMAIN www.www.urlpush.net spyscan:amnesty-investigations"]; ok {
		t.Error("www. form of a www. name")
	}
	if _, ok := got["Intel::DOMAIN urlpush.net spyscan:amnesty-investigations"]; !ok {
		t.Error("no bare form of a www. name")
	}
	peg := got["Intel::DOMAIN free247downloads.com spyscan:amnesty-investigations"]
	if !strings.Contains(peg.desc, "Pegasus") || !strings.Contains(peg.desc, "2021-07-18_nso/pegasus.stix2 @ 3d8f248a0d01") ||
		!strings.Contains(peg.desc, "indicator--1") || !strings.HasPrefix(peg.url, "https://www.amnesty.org/") {
		t.Errorf("provenance of free247downloads.com: desc %q url %q", peg.desc, peg.url)
	}
	odd := got["Intel::DOMAIN xn--bcher-kva.example spyscan:local;list"]
	if odd.desc != "Odd, \"Family\"\\x domain indicator; my\tfile.stix2 (2026-11-20) indicator--2" || odd.urlSet {
		t.Errorf("escaped provenance read back as desc %q url %q (set %v)", odd.desc, odd.url, odd.urlSet)
	}
	if !strings.Contains(got["Intel::DOMAIN partial.example.net spyscan:amnesty-investigations"].desc, "AND pattern") {
		t.Error("partial indicator not marked")
	}
	if !strings.Contains(got["Intel::URL x.example.com/a/b?c=1 spyscan:amnesty-investigations"].desc, "https URL") {
		t.Error("HTTPS URL not marked")
	}
	if sum.Skipped[KindJA3] != 1 || sum.Skipped[KindJA4] != 2 || sum.Skipped[KindCertSHA2] != 1 {
		t.Errorf("skipped = %v, want the JA3, both JA4 and the certificate SHA-256", sum.Skipped)
	}
	if sum.Written[ZeekDomain] != 10 {
		t.Errorf("written = %v", sum.Written)
	}

	// Round trip through spyscan's own Zeek reader: the same items come back.
	r, err := zeeklog.NewReader(bytes.NewReader(buf.Bytes()), ZeekFields...)
	if err != nil {
		t.Fatal(err)
	}
	var back []zeekItemRead
	for r.Next() {
		it := zeekItemRead{indicator: r.String(0), typ: r.String(1), source: r.String(2), desc: r.String(3), url: r.String(4)}
		it.descSet, it.urlSet = r.Get(3) != nil, r.Get(4) != nil
		back = append(back, it)
	}
	if r.Err() != nil || len(r.Bad()) > 0 {
		t.Fatalf("zeeklog: %v %v", r.Err(), r.Bad())
	}
	if r.Path() != "intel" || len(back) != len(items) {
		t.Fatalf("zeeklog read %d items of path %q, Zeek's reader %d", len(back), r.Path(), len(items))
	}
	for i := range items {
		if back[i] != items[i] {
			t.Errorf("item %d: zeeklog %+v, Zeek's rules %+v", i, back[i], items[i])
		}
	}
}

func TestZeekEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain", "-": `\x2d`, "(empty)": `\x28empty)`, "a\tb": `a\x09b`, `back\slash`: `back\x5cslash`, "new\nline": `new\x0aline`,
	} {
		got := zeekEscape(in)
		if got != want {
			t.Errorf("zeekEscape(%q) = %q, want %q", in, got, want)
		}
		if zeekUnescape(got) != in {
			t.Errorf("%q does not read back", in)
		}
	}
}

func TestZeekDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	WriteZeekIntel(&a, mustCollect(t, testSet()))
	WriteZeekIntel(&b, mustCollect(t, testSet()))
	if !bytes.Equal(a.Bytes(), b.Bytes()) || a.Len() < 1000 {
		t.Error("two exports differ")
	}
}

// FuzzZeekValues exports indicators with arbitrary values and provenance:
// Zeek's reader must read back every value exactly, and spyscan's own Zeek
// reader the same items.
func FuzzZeekValues(f *testing.F) {
	f.Add("free247downloads.com", "Pegasus", "amnesty", "2021/pegasus.stix2")
	f.Add("-", "(empty)", "a\tb", "c\nd\\x41")
	f.Fuzz(func(t *testing.T, domain, family, source, file string) {
		if len(domain)+len(family)+len(source)+len(file) > 1024 {
			return
		}
		set := &indicators.Set{Indicators: []match.Indicator{{Type: match.Domain, Value: domain,
			Sources: []model.Provenance{{Source: source, Family: family, File: file}}}}}
		c := mustCollect(t, set)
		var buf bytes.Buffer
		if _, err := WriteZeekIntel(&buf, c); err != nil {
			t.Fatal(err)
		}
		items := readLikeZeek(t, buf.Bytes())
		for _, it := range items {
			if it.source != zeekSourcePrefix+source {
				t.Errorf("meta.source read back as %q, want %q", it.source, zeekSourcePrefix+source)
			}
			if !strings.Contains(it.desc, strings.TrimSpace(file)) { // where() trims the description
				t.Errorf("meta.desc %q lacks the file %q", it.desc, file)
			}
		}
		if len(c.Entries) > 0 && len(items) == 0 {
			t.Error("an entry gave no item")
		}
		r, err := zeeklog.NewReader(bytes.NewReader(buf.Bytes()), ZeekFields...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for r.Next() {
			if n < len(items) && (r.String(0) != items[n].indicator || r.String(2) != items[n].source) {
				t.Errorf("zeeklog read %q %q, Zeek's rules %q %q", r.String(0), r.String(2), items[n].indicator, items[n].source)
			}
			n++
		}
		if n != len(items) {
			t.Errorf("zeeklog read %d items, Zeek's rules %d", n, len(items))
		}
	})
}
