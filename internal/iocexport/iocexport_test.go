package iocexport

import (
	"testing"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// testSet holds indicators of every type, with the odd values real lists
// have: upper case, trailing dots, IDN, IP literals given as domains, URLs
// with a query or HTTPS, a domain with a path, colon-separated certificate
// hashes, a one-label "domain", provenance with reserved characters.
func testSet() *indicators.Set {
	pegasus := []model.Provenance{{Source: "amnesty-investigations", File: "2021-07-18_nso/pegasus.stix2",
		Commit: "3d8f248a0d015f183724ae7d096a5c46a8bb5fc7", IndicatorID: "indicator--1", Family: "Pegasus",
		References: []string{"https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/"}}}
	odd := []model.Provenance{{Source: "local;list", File: "my\tfile.stix2", Date: "2026-11-20", IndicatorID: "indicator--2",
		Family: "Odd, \"Family\"\\x"}}
	two := append(append([]model.Provenance{}, pegasus...), model.Provenance{Source: "mvt-indicators",
		File: "nso/pegasus.stix2", Commit: "e035f4fbdb8a", IndicatorID: "indicator--3", Family: "Pegasus"})
	in := func(t match.Type, v string, p []model.Provenance) match.Indicator {
		return match.Indicator{Type: t, Value: v, Sources: p}
	}
	return &indicators.Set{
		Sources: []indicators.Source{
			{Name: "amnesty-investigations", Origin: "https://github.com/AmnestyTech/investigations", Commit: "3d8f248a0d015f183724ae7d096a5c46a8bb5fc7", Date: "2024-12-16", License: "CC BY 2.0"},
			{Name: "mvt-indicators", Origin: "https://github.com/mvt-project/mvt-indicators", Commit: "e035f4fbdb8a"},
			{Name: "local;list", Origin: "/home/me/iocs"},
		},
		Indicators: []match.Indicator{
			in(match.Domain, "Free247Downloads.COM.", two),
			in(match.Domain, "free247downloads.com", pegasus), // same value again
			in(match.Domain, "www.urlpush.net", pegasus),
			in(match.Domain, "bücher.example", odd),
			in(match.Domain, "198.51.100.7", pegasus), // an IP literal given as a domain
			in(match.Domain, "cdn.example.org/payload/", odd),
			in(match.Domain, "despachosnegocios", pegasus), // one label: unusable
			{Type: match.Domain, Value: "partial.example.net", Partial: true, Sources: pegasus},
			in(match.IP, "2001:DB8::1", pegasus),
			in(match.IP, "not-an-ip", pegasus),
			in(match.URL, "https://x.example.com/a/b?c=1", pegasus),
			in(match.URL, "http://y.example.com:8080/p", odd),
			in(match.Email, "Agent@Example.com", pegasus),
			in(match.FileSHA256, "275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F", pegasus),
			in(match.FileMD5, "44d88612fea8a8f36de82e1278abb02f", odd),
			in(match.FileName, "payload.apk", pegasus),
			in(match.FileName, "/private/var/db/com.apple.xpc.roleaccountd.staging/x", pegasus),
			in(match.TLSCertSHA1, "0D:DB:34:F8:75:63:2C:7E:1E:C0:9D:75:82:7F:82:D2:33:6D:FE:B6", pegasus),
			in(match.TLSCertSHA256, "6f1e3d2c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0", pegasus),
			in(match.JA3, "E7ECA2BAF4458D095B7F45DA28C16C34", pegasus),
			in(match.JA4, "t13d1516h2_8daaf6152771_e5627efa2ab1", pegasus),
			in(match.JA4, "q13d0310h3_55b375c5d22e_cd85d2d88918", pegasus),
			in(match.Process, "bh", pegasus),
		},
	}
}

func TestCollect(t *testing.T) {
	c := mustCollect(t, testSet())
	got := map[string]Entry{}
	for _, e := range c.Entries {
		got[string(e.Kind)+" "+e.Value] = e
	}
	for _, want := range []string{
		"domain free247downloads.com", "domain www.urlpush.net", "domain xn--bcher-kva.example",
		"ip 198.51.100.7", "ip 2001:db8::1", "host-path cdn.example.org/payload/", "domain partial.example.net",
		"url https://x.example.com/a/b?c=1", "url http://y.example.com:8080/p", "email agent@example.com",
		"file-hash 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
		"file-hash 44d88612fea8a8f36de82e1278abb02f", "file-name payload.apk",
		"tls-cert-sha1 0ddb34f875632c7e1ec09d75827f82d2336dfeb6",
		"tls-cert-sha256 6f1e3d2c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0",
		"ja3 e7eca2baf4458d095b7f45da28c16c34", "ja4 t13d1516h2_8daaf6152771_e5627efa2ab1",
	} {
		if _, ok := got[want]; !ok {
			t.Errorf("no entry %q", want)
		}
	}
	if n := len(got["domain free247downloads.com"].Sources); n != 2 {
		t.Errorf("free247downloads.com has %d sources, want 2 (merged, deduplicated)", n)
	}
	if !got["domain partial.example.net"].Partial || got["domain free247downloads.com"].Partial {
		t.Error("partial flags wrong")
	}
	if c.Unusable[match.Domain] != 1 || c.Unusable[match.IP] != 1 {
		t.Errorf("unusable = %v, want one domain (one label) and one IP", c.Unusable)
	}
	if c.NotNetwork[match.Process] != 1 || c.NotNetwork[match.FileName] != 1 {
		t.Errorf("not network = %v, want the process and the device path", c.NotNetwork)
	}
	if len(c.Entries) != 18 {
		t.Errorf("%d entries, want 18", len(c.Entries))
	}
}

// mustCollect is Collect, failing the test on an error.
func mustCollect(t testing.TB, set *indicators.Set) *Collection {
	t.Helper()
	c, err := Collect(set)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
