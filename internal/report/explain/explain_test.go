package explain

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
)

// incomplete is a scan of a backup that lists 1,089 files of which 1,075
// are absent: eleven modules miss one file each, one module has a damaged
// one, and another a file refused as unsafe.
func incomplete() *model.Report {
	r := &model.Report{Info: model.ScanInfo{IndicatorCount: 10, SelfTest: model.SelfTest{CanaryOK: true},
		Inputs: []model.Input{{Path: "/cases/x/00008101-backup", Kind: "ios-backup",
			Meta: map[string]string{"files_listed": "1089", "files_missing": "1075"}}}}}
	in := r.Info.Inputs[0].Path
	for i := 0; i < 11; i++ {
		p := fmt.Sprintf("HomeDomain/Library/db%d.sqlite", i)
		r.Modules = append(r.Modules, model.ModuleResult{Module: fmt.Sprintf("mod%02d", i), Input: in, Status: model.StatusPartial,
			Files: []string{"x"}, Seen: 1,
			Errors: []model.FileError{{Path: p, Error: "open " + p + ": listed in Manifest.db but absent from the backup folder", Kind: model.KindMissing}}})
	}
	r.Modules = append(r.Modules,
		model.ModuleResult{Module: "sms", Input: in, Status: model.StatusPartial, Seen: 3, Files: []string{"sms.db"},
			Errors: []model.FileError{{Path: "HomeDomain/Library/SMS/sms.db", Error: "HomeDomain/Library/SMS/sms.db: database disk image is malformed (11)", Kind: model.KindDamaged}}},
		model.ModuleResult{Module: "plists", Input: in, Status: model.StatusPartial, Seen: 3, Files: []string{"a"},
			Errors: []model.FileError{{Path: "a.plist", Error: "a.plist: nested deeper than 256", Kind: model.KindRefused}}})
	return r
}

func TestExplainIncompleteBackup(t *testing.T) {
	cs := Explain(incomplete())
	if len(cs) != 3 {
		t.Fatalf("%d causes, want 3 (missing, damaged, refused): %+v", len(cs), cs)
	}
	en, fr := i18n.Get("en"), i18n.Get("fr")
	miss := cs[0]
	if miss.Kind != model.KindMissing || miss.Files != 11 || len(miss.Modules) != 11 || len(miss.Examples) != MaxExamples {
		t.Errorf("missing cause %+v", miss)
	}
	want := "1,075 of the 1,089 files the backup 00008101-backup lists are missing: the backup is incomplete (11 of the missing files hold data spyscan reads)."
	if got := en.Render(miss.Text); got != want {
		t.Errorf("text\n got %q\nwant %q", got, want)
	}
	if got := en.Render(miss.Fix); !strings.Contains(got, "Make a new backup") || !strings.Contains(got, "encryption on") {
		t.Errorf("fix %q", got)
	}
	if got := fr.Render(miss.Text); !strings.Contains(got, "1\u202f075 des 1\u202f089 fichiers") {
		t.Errorf("French %q", got)
	}
	if e := miss.Examples[0]; e.Error != "listed in Manifest.db but absent from the backup folder" {
		t.Errorf("example error %q still names its path", e.Error)
	}
	if cs[1].Kind != model.KindDamaged || en.Render(cs[1].Text) != "1 file of 00008101-backup is damaged (corrupt or truncated)." {
		t.Errorf("damaged cause %+v: %q", cs[1], en.Render(cs[1].Text))
	}
	if cs[2].Kind != model.KindRefused || !strings.Contains(en.Render(cs[2].Fix), "acquire the device again") {
		t.Errorf("refused cause %+v", cs[2])
	}
}

// TestExplainOrderAndWholeScan: the password comes first (nothing else can
// be judged without it); problems of the whole scan (canary, no module read
// anything) are said without an input.
func TestExplainOrderAndWholeScan(t *testing.T) {
	r := &model.Report{Info: model.ScanInfo{IndicatorCount: 5, Inputs: []model.Input{
		{Path: "a.pcap", Kind: "pcap"},
		{Path: "enc-backup", Kind: "ios-backup-encrypted", Error: "enc-backup: wrong password", ErrorKind: model.KindPassword},
	}}}
	cs := Explain(r)
	en := i18n.Get("en")
	var texts []string
	for _, c := range cs {
		texts = append(texts, string(c.Kind)+": "+en.Render(c.Text))
	}
	if len(cs) < 3 || cs[0].Kind != model.KindPassword || !strings.Contains(texts[0], "enc-backup is encrypted, and the password is missing or wrong") {
		t.Fatalf("causes %q", texts)
	}
	joined := strings.Join(texts, "\n")
	for _, want := range []string{"self-test of the indicator matching did not pass", "No module read anything"} {
		if !strings.Contains(joined, want) {
			t.Errorf("causes lack %q:\n%s", want, joined)
		}
	}
	for _, c := range cs {
		for _, lang := range i18n.Languages() {
			if s := i18n.Get(lang).Render(c.Text) + i18n.Get(lang).Render(c.Fix); strings.Contains(s, "[") || strings.Contains(s, "{") {
				t.Errorf("%s: %q", lang, s)
			}
		}
	}
}

// TestExplainAcquisitionFiles: problems the opener found in an acquisition,
// not a module (core files absent from an androidqf, files beside an
// unpacked backup that nothing reads), name their files instead of an
// empty module list.
func TestExplainAcquisitionFiles(t *testing.T) {
	en, fr := i18n.Get("en"), i18n.Get("fr")
	tests := []struct {
		kind           model.ProblemKind
		paths          []string
		wantEN, wantFR string
		wantFix        string
	}{
		{model.KindMissing, []string{"acq/packages.json", "acq/dumpsys.txt"},
			"2 files that such an acquisition always holds are missing from qf.zip (acq/dumpsys.txt, acq/packages.json).",
			"2 fichiers que ce type d’acquisition contient toujours manquent dans qf.zip (acq/dumpsys.txt, acq/packages.json).",
			"acquire the device again"},
		{model.KindUnsupported, []string{"backup2.ab"},
			"1 file of qf.zip was not read (backup2.ab): it is not part of the acquisition spyscan recognised there.",
			"1 fichier de qf.zip n’a pas été lu (backup2.ab) : il ne fait pas partie de l’acquisition que spyscan y a reconnue.",
			"Scan each of them on its own"},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			in := model.Input{Path: "/cases/qf.zip", Kind: "androidqf"}
			for _, p := range tc.paths {
				in.Problems = append(in.Problems, model.Problem{Kind: tc.kind, Path: p, Cause: p + ": cause"})
			}
			r := &model.Report{Info: model.ScanInfo{IndicatorCount: 5, SelfTest: model.SelfTest{CanaryOK: true}, Inputs: []model.Input{in}},
				Modules: []model.ModuleResult{{Module: "aqf_getprop", Input: in.Path, Status: model.StatusOK, Seen: 10, Files: []string{"acq/getprop.txt"}}}}
			cs := Explain(r)
			if len(cs) != 1 {
				t.Fatalf("%d causes, want 1: %+v", len(cs), cs)
			}
			if got := en.Render(cs[0].Text); got != tc.wantEN {
				t.Errorf("text\n got %q\nwant %q", got, tc.wantEN)
			}
			if got := fr.Render(cs[0].Text); got != tc.wantFR {
				t.Errorf("French\n got %q\nwant %q", got, tc.wantFR)
			}
			if got := en.Render(cs[0].Fix); !strings.Contains(got, tc.wantFix) {
				t.Errorf("fix %q lacks %q", got, tc.wantFix)
			}
		})
	}
}

// TestExplainUnrecognisedInput: an entry of a folder of inputs that no
// opener recognises is named as not scanned, with what it looks like.
func TestExplainUnrecognisedInput(t *testing.T) {
	in := model.Input{Path: "/cases/a/notes.md", Error: "unsupported or unrecognised input: /cases/a/notes.md (looks like a text file (.md) of an unknown format)",
		ErrorKind: model.KindUnsupported}
	ok := model.Input{Path: "/cases/a/capture.pcap", Kind: "pcap"}
	r := &model.Report{Info: model.ScanInfo{IndicatorCount: 5, SelfTest: model.SelfTest{CanaryOK: true}, Inputs: []model.Input{in, ok}},
		Modules: []model.ModuleResult{{Module: "network_dns", Input: ok.Path, Status: model.StatusOK, Seen: 10}}}
	cs := Explain(r)
	if len(cs) != 1 {
		t.Fatalf("%d causes, want 1: %+v", len(cs), cs)
	}
	en, fr := i18n.Get("en"), i18n.Get("fr")
	if got := en.Render(cs[0].Text); !strings.HasPrefix(got, "notes.md was not scanned: spyscan does not recognise it as an acquisition") || !strings.Contains(got, "looks like a text file") {
		t.Errorf("text %q", got)
	}
	if got := fr.Render(cs[0].Text); !strings.HasPrefix(got, "notes.md n’a pas été analysé") {
		t.Errorf("French %q", got)
	}
	if got := en.Render(cs[0].Fix); !strings.Contains(got, "leave it out") {
		t.Errorf("fix %q", got)
	}
}
