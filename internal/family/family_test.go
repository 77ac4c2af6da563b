package family

import (
	"slices"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name    string
		sources []string
		want    Category
		display string
	}{
		{"Pegasus", []string{"amnesty-investigations"}, Mercenary, "Pegasus"},
		{"OperationTriangulation", []string{"mvt-indicators"}, Mercenary, "Operation Triangulation"},
		{"TheTruthSpy", []string{"stalkerware-indicators"}, Stalkerware, "TheTruthSpy"},
		{"Cellebrite", []string{"mvt-indicators"}, Forensic, "Cellebrite"},
		{"Metasploit", []string{"stalkerware-indicators"}, Other, "Metasploit"},
		// Named by a stalkerware list and by another source: not only stalkerware.
		{"Both", []string{"stalkerware-indicators", "my-lab"}, Mercenary, "Both"},
		{"FromMyFile", nil, Mercenary, "FromMyFile"},
	}
	for _, tt := range tests {
		got := Lookup(tt.name, tt.sources)
		if got.Category != tt.want || got.Display != tt.display || got.Name != tt.name {
			t.Errorf("Lookup(%q, %v) = %+v, want %v %q", tt.name, tt.sources, got, tt.want, tt.display)
		}
	}
}

// TestSortMercenaryFirst: mercenary spyware comes before stalkerware
// whatever their weights; within a category the heavier first.
func TestSortMercenaryFirst(t *testing.T) {
	fams := []Info{
		Lookup("TheTruthSpy", []string{"stalkerware-indicators"}),
		Lookup("Cellebrite", nil),
		Lookup("Predator", nil),
		Lookup("Pegasus", nil),
		Lookup("mSpy", []string{"stalkerware-indicators"}),
	}
	weight := map[string]int{"TheTruthSpy": 100, "Predator": 1, "Pegasus": 5, "mSpy": 100, "Cellebrite": 50}
	Sort(fams, func(i Info) int { return weight[i.Name] })
	var got []string
	for _, f := range fams {
		got = append(got, f.Name)
	}
	want := []string{"Pegasus", "Predator", "Cellebrite", "mSpy", "TheTruthSpy"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
