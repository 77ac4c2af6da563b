package indicators

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

const echapYAML = `- name: SpyOne
  names: [SpyOne, OneSpy]
  type: stalkerware
  packages:
  - com.spyone.app
  certificates:
  - 31A6ECECD97CF39BC4126B8745CD94A7C30BF81C
  - NOTAHASH
  websites:
  - www.spyone.example
  distribution:
    - dl.spyone.example
  c2:
    domains:
    - c2.spyone.example.
    ips:
    - 192.0.2.7
- name: SpyTwo
  type: stalkerware
  packages:
  - com.spyone.app
  c2:
    ip:
    - 198.51.100.9
    - not-an-ip.example
- name: KidWatch
  type: watchware
  packages: [com.kidwatch]
  ios_bundles: [com.kidwatch.ios]
`

func TestEchapYAML(t *testing.T) {
	base := model.Provenance{Source: "stalkerware-indicators", File: "ioc.yaml", Commit: "c0ffee", Date: "2026-06-21"}
	var f File
	inds, warns, err := ParseEchapYAML([]byte(echapYAML), base, &f)
	if err != nil {
		t.Fatal(err)
	}
	ix, _ := match.NewIndex(inds)
	for _, tc := range []struct {
		look     func(string) []model.Match
		v        string
		families []string
	}{
		{ix.AppID, "com.spyone.app", []string{"SpyOne", "SpyTwo"}},
		{ix.AppID, "com.kidwatch.ios", []string{"KidWatch (watchware)"}},
		{ix.Domain, "x.c2.spyone.example", []string{"SpyOne"}},
		{ix.Domain, "dl.spyone.example", []string{"SpyOne"}},
		{ix.IP, "192.0.2.7", []string{"SpyOne"}},
		{ix.IP, "198.51.100.9", []string{"SpyTwo"}}, // under the misspelled c2.ip
		{ix.Domain, "not-an-ip.example", []string{"SpyTwo"}},
		{ix.AppCert, "31a6ececd97cf39bc4126b8745cd94a7c30bf81c", []string{"SpyOne"}},
	} {
		ms := tc.look(tc.v)
		if len(ms) != 1 || strings.Join(ms[0].Families(), ",") != strings.Join(tc.families, ",") {
			t.Errorf("%s: %+v", tc.v, ms)
			continue
		}
		p := ms[0].Sources[0]
		if p.Source != base.Source || p.File != "ioc.yaml" || p.Commit != "c0ffee" || p.Date != base.Date ||
			!strings.HasPrefix(p.IndicatorID, "indicator--") || !strings.Contains(p.Pattern, "='") {
			t.Errorf("%s: provenance %+v", tc.v, p)
		}
	}
	if len(warns) != 2 || !strings.Contains(strings.Join(warns, "\n"), "NOTAHASH") {
		t.Errorf("warnings %q", warns)
	}
	if f.Indicators != 10 || f.Counts[match.IP] != 2 || len(f.Families) != 3 {
		t.Errorf("file %+v", f)
	}
	// the id is derived from the pattern: the same in every build
	var f2 File
	again, _, _ := ParseEchapYAML([]byte(echapYAML), base, &f2)
	if again[0].Sources[0].IndicatorID != inds[0].Sources[0].IndicatorID || inds[0].Sources[0].IndicatorID == inds[1].Sources[0].IndicatorID {
		t.Error("indicator ids not stable or not distinct")
	}
}

func TestEchapSamples(t *testing.T) {
	csv := "SHA256,Package Name,Certificate,Version,App\n" +
		"32838FE1604A25A4FBCB62954C976B84C68694D73020994DE034550641743F13,com.ispyoo,F9181C6CF9AACB3AB1092F5338C3198A8D833431,1.0,TheTruthSpy\n" +
		"0000000000000000000000000000000000000000000000000000000000000001,,,,\n"
	var f File
	inds, warns, err := ParseEchapSamples([]byte(csv), model.Provenance{Source: "s", File: "samples.csv"}, &f)
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	if f.Indicators != 4 || f.Counts[match.FileSHA256] != 2 || f.Counts[match.AppID] != 1 || f.Counts[match.AppCertSHA1] != 1 {
		t.Fatalf("file %+v", f)
	}
	ix, _ := match.NewIndex(inds)
	ms := ix.FileHash("32838fe1604a25a4fbcb62954c976b84c68694d73020994de034550641743f13")
	if len(ms) != 1 || ms[0].Sources[0].Family != "TheTruthSpy" || ms[0].Sources[0].Pattern != "[file:hashes.sha256='32838fe1604a25a4fbcb62954c976b84c68694d73020994de034550641743f13']" {
		t.Fatalf("%+v", ms)
	}
}

// TestNotEchap skips other YAML and CSV files (an mvt-indicators index, a
// list of something else) without a warning.
func TestNotEchap(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/indicators.yaml", "indicators:\n  - type: github\n    name: x\n")
	writeFile(t, dir+"/other.csv", "a,b\n1,2\n")
	writeFile(t, dir+"/list.yaml", "- 1\n- 2\n")
	set, err := Load(context.Background(), Options{Paths: []string{dir}, NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Warnings) != 0 || len(set.Indicators) != 0 || len(set.Sources[0].Files) != 0 {
		t.Fatalf("warnings %q, %d indicators, files %+v", set.Warnings, len(set.Indicators), set.Sources[0].Files)
	}
}

func FuzzEchap(f *testing.F) {
	f.Add([]byte(echapYAML))
	f.Add([]byte("SHA256,App\nab,x\n"))
	f.Add([]byte("- &a {name: x, packages: [*a]}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		var f1, f2 File
		inds, _, _ := ParseEchapYAML(b, model.Provenance{}, &f1)
		more, _, _ := ParseEchapSamples(b, model.Provenance{}, &f2)
		for _, in := range append(inds, more...) {
			if in.Value == "" || len(in.Sources) == 0 || in.Sources[0].Pattern == "" {
				t.Fatalf("%+v", in)
			}
		}
	})
}

// BenchmarkEchap parses the embedded ioc.yaml and samples.csv.
func BenchmarkEchap(b *testing.B) {
	y, err := os.ReadFile("snapshot/stalkerware-indicators/ioc.yaml")
	if err != nil {
		b.Fatal(err)
	}
	c, err := os.ReadFile("snapshot/stalkerware-indicators/samples.csv")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(y) + len(c)))
	for b.Loop() {
		var f1, f2 File
		if _, _, err := ParseEchapYAML(y, model.Provenance{}, &f1); err != nil {
			b.Fatal(err)
		}
		if _, _, err := ParseEchapSamples(c, model.Provenance{}, &f2); err != nil {
			b.Fatal(err)
		}
	}
}
