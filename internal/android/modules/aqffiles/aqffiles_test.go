package aqffiles

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestGolden(t *testing.T) {
	modtest.GoldenCases(t, New(), modtest.Cases()[1:], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, "File path \""+androiddata.CampaignPath+"\"") {
			t.Error("campaign path not detected")
		}
		if !modtest.HasAlert(res, model.Critical, true, "File hash") {
			t.Error("campaign hash not detected")
		}
		if !modtest.HasAlert(res, model.Medium, false, "/data/local/tmp/notes.txt") {
			t.Error("tmp file not flagged")
		}
		modtest.NoAlertMentions(t, res, "/data/local/tmp/collector")
		modtest.NoAlertMentions(t, res, androiddata.LookalikePath)
		if len(res.Records) != 5 || len(res.Timeline) != 5 {
			t.Errorf("records %d events %d", len(res.Records), len(res.Timeline))
		}
	})
}

func TestFormatsAndBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		n, errs    int
	}{
		{"json lines", "{\"path\":\"/a\"}\n{\"path\":\"/b\",\"size\":\"x\"}\n", 2, 0},
		{"truncated", `[{"path":"/a"},{"path":`, 1, 1},
		{"not json", "hello", 0, 1},
		{"empty", "", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := modtest.Run(t, New(), acquisition.AndroidQF, map[string][]byte{FileName: []byte(tc.data)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) != tc.n || len(res.Errors) != tc.errs {
				t.Fatalf("records %d errors %+v", len(res.Records), res.Errors)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(androiddata.FilesJSON(androiddata.Options{Files: 2}))
	f.Add([]byte(`{"path":1}{"changed_time":99999999999999999}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = Decode(context.Background(), bytes.NewReader(b), func(File) {})
	})
}

// The fast path must give exactly what encoding/json gives, or defer to it.
func FuzzParseFlat(f *testing.F) {
	f.Add([]byte(`{"path":"/a","size":12,"mode":"-rw","x":null,"y":"z","n":-3}`))
	f.Add([]byte(`{"PATH":"/a","path":"/b"}`))
	f.Add([]byte(`{"size":01,"path":"\u00e9"}`))
	f.Add([]byte(`{"size":1.5}`))
	f.Add([]byte("{\"path\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got raw
		if parseFlat(b, &got) != nil {
			return
		}
		var want raw
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("fast path accepted %q that encoding/json refuses: %v", b, err)
		}
		if got != want {
			t.Fatalf("%q: fast %+v, encoding/json %+v", b, got, want)
		}
	})
}

func TestNestedAndEscapedEntries(t *testing.T) {
	data := `[{"path":"/a\u00e9","size":1,"extra":{"k":[1,2]}}, {"path":"/b","size":2.5}, {"path":"/c"}]`
	var got []File
	if err := Decode(context.Background(), bytes.NewReader([]byte(data)), func(f File) { got = append(got, f) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Path != "/aé" || got[0].Size != 1 || got[1].Path != "/b" || got[2].Path != "/c" {
		t.Fatalf("%+v", got)
	}
}

// BenchmarkFiles500k reads a files.json of 500,000 entries, records
// streamed to a discarding sink as the scan core does.
func BenchmarkFiles500k(b *testing.B) {
	data := androiddata.FilesJSON(androiddata.Options{Files: 500000})
	fsys := modtest.FS(map[string][]byte{FileName: data})
	ix := modtest.Index(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		rec := module.NewRecorder(Name, ix, func(json.RawMessage) error { return nil })
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.AndroidQF, FS: fsys}, Index: ix}
		if err := (New()).Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
		if r := rec.Result(); r.Seen != 500005 {
			b.Fatalf("%d files", r.Seen)
		}
	}
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }
