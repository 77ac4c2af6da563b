package corpus

import (
	"slices"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		f       Field
		in, out string
	}{
		{DNS, "WWW.Example.COM.", "www.example.com"},
		{DNS, "<Root>", ""},
		{DNS, "a\u01fe.Example", "a\u01fe.example"},     // bytes of a binary label that happen to be UTF-8 (case kept)
		{DNS, `txtpadding_32\000`, `txtpadding_32\000`}, // tshark's escapes stay as they are
		{SNI, "Api.Example.com", "api.example.com"},
		{Host, "Example.com:8080", "example.com"},
		{Host, "[::1]:8000", "::1"},
		{Host, "[fd00:2:1::2]", "fd00:2:1::2"},
		{Host, "fd00:2:1::2", "fd00:2:1::2"}, // a bare IPv6 literal keeps its colons
		{Host, "192.0.2.1:80", "192.0.2.1"},
		{JA3, "E7ECA2BAF4458D095B7F45DA28C16C34", "e7eca2baf4458d095b7f45da28c16c34"},
		{JA4, "t13d1516h2_8daaf6152771_e5627efa2ab1", "t13d1516h2_8daaf6152771_e5627efa2ab1"},
	} {
		if got := Normalize(tc.f, tc.in); got != tc.out {
			t.Errorf("Normalize(%s, %q) = %q, want %q", tc.f, tc.in, got, tc.out)
		}
	}
}

func TestTsharkText(t *testing.T) {
	for in, want := range map[string]string{
		"txtpadding_32\x00": `txtpadding_32\000`,
		"s\rp.example\\x":   `s\rp.example\\x`,
		"a\x04\x7f.example": `a\004\177.example`,
		"a\xba\xad.example": "a\ufffd\ufffd.example",
		"b\xbf\xec\xbefa":   "b\ufffd\ufffdfa", // EC BE is one maximal subpart (iodine label, nDPI capture)
		"b\xf0\x9f\x98A":    "b\ufffdA",
		"a\u01fe.example":   "a\u01fe.example",
		"plain.example":     "plain.example",
	} {
		if got := TsharkText(in); got != want {
			t.Errorf("TsharkText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDiffFormat(t *testing.T) {
	for _, tc := range []struct {
		ref, got []string
		want     string
	}{
		{[]string{"a", "b"}, nil, "-*"},
		{nil, []string{"a"}, "+*"},
		{[]string{"a", "b"}, []string{"b", "c"}, "-a +c"},
		{[]string{"a b"}, []string{"x"}, `-"a b" +x`},
		{[]string{"*"}, []string{"x\x00"}, `-"*" +"x\x00"`},
	} {
		d := Compare(tc.ref, tc.got)
		if got := d.Format(tc.ref, tc.got); got != tc.want {
			t.Errorf("Format(%q, %q) = %q, want %q", tc.ref, tc.got, got, tc.want)
		}
	}
	if !Compare([]string{"a"}, []string{"a"}).Empty() {
		t.Error("equal sets differ")
	}
}

func TestReadDisagreements(t *testing.T) {
	good := "# comment\n" +
		"zeek/a.pcap\tsni\t-*\tspyscan gap: issue 11 item 4 (SMTP STARTTLS)\n" +
		"zeek/b.pcap\thost\t+*\ttshark is wrong here (HTTP on port 5432 is not dissected as HTTP)\n" +
		"foxio/c.pcap\tja4\t-x +y\tFoxIO's output is wrong here (ALPN bytes)\n" +
		"ndpi/d.pcap\tdns\t-x\tspyscan gap: new (a name after a malformed one)\n"
	ds, err := ReadDisagreements(strings.NewReader(good))
	if err != nil || len(ds) != 4 || ds[1].Wrong() != "reference" || ds[0].Wrong() != "spyscan" || ds[3].Line != 5 {
		t.Fatalf("%+v, %v", ds, err)
	}
	for in, want := range map[string]string{
		"zeek/a.pcap\tsni\t-*\n":                                                                           "4 tab-separated columns",
		"zeek/a.pcap\tname\t-*\ttshark is wrong here (x)\n":                                                "unknown field",
		"zeek/a.pcap\tsni\t-*\tbecause\n":                                                                  "must read",
		"zeek/a.pcap\tsni\t-*\tspyscan gap: issue 11 item 12 (x)\n":                                        "must read",
		"zeek/a.pcap\tsni\t-*\ttshark is wrong here (x)\nzeek/a.pcap\tsni\t+*\ttshark is wrong here (y)\n": "already listed on line 1",
	} {
		if _, err := ReadDisagreements(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}

func TestValuesAdd(t *testing.T) {
	vs := Values{}
	vs.Add(DNS, "B.example.")
	vs.Add(DNS, "a.example")
	vs.Add(DNS, "b.example")
	vs.Add(DNS, "<Root>")
	vs.Sort()
	if !slices.Equal(vs[DNS], []string{"a.example", "b.example"}) {
		t.Errorf("values = %q", vs[DNS])
	}
}
