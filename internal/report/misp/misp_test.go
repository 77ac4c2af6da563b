package misp

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/spyscan/spyscan/internal/golden"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

func TestGolden(t *testing.T) {
	for name, r := range map[string]*model.Report{"detected": reportgen.Detected(), "clean": reportgen.Clean()} {
		var b bytes.Buffer
		if err := Write(&b, r); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", name+".misp.json"), b.Bytes())
	}
}

func TestContent(t *testing.T) {
	e := Build(reportgen.Detected()).Event
	if e.ThreatLevelID != "1" || e.Distribution != "0" || e.Published {
		t.Errorf("event level/distribution/published = %s/%s/%v", e.ThreatLevelID, e.Distribution, e.Published)
	}
	if !hasTag(e.Tag, "tlp:red") || !hasTag(e.Tag, `spyscan:family="Pegasus"`) {
		t.Errorf("event tags = %v", e.Tag)
	}
	want := map[string]string{"domain": "x.free247downloads.com", "text": "bh", "comment": ""}
	if len(e.Attribute) != 3 {
		t.Fatalf("%d attributes, want 3", len(e.Attribute))
	}
	for _, a := range e.Attribute {
		v, ok := want[a.Type]
		if !ok || (v != "" && a.Value != v) {
			t.Errorf("unexpected attribute %s %q", a.Type, a.Value)
		}
		if a.Type == "domain" && (!a.ToIDS || !hasTag(a.Tag, `spyscan:level="critical"`) || a.FirstSeen != "2021-07-14T09:30:00.000000Z") {
			t.Errorf("domain attribute = %+v", a)
		}
		if a.Type == "comment" && a.ToIDS {
			t.Error("a heuristic is marked for IDS")
		}
	}
	if Build(reportgen.Detected()).Event.UUID != e.UUID {
		t.Error("event uuid is not deterministic")
	}
}

// TestMerge: the same value seen twice is one attribute spanning both times.
func TestMerge(t *testing.T) {
	r := reportgen.Detected()
	a := r.Alerts[0]
	a.Time = a.Time.Add(3600e9)
	r.Alerts = append(r.Alerts, a)
	e := Build(r).Event
	if len(e.Attribute) != 3 {
		t.Fatalf("%d attributes, want 3", len(e.Attribute))
	}
	for _, at := range e.Attribute {
		if at.Type == "domain" && (at.FirstSeen != "2021-07-14T09:30:00.000000Z" || at.LastSeen != "2021-07-14T10:30:00.000000Z") {
			t.Errorf("merged domain seen %s..%s", at.FirstSeen, at.LastSeen)
		}
	}
}
