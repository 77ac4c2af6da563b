package versions

import "testing"

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{{"16.10", "16.9", 1}, {"16.6", "16.6.0", 0}, {"15.8.3", "16.0", -1}, {"26.0", "18.6", 1}, {"x", "0", 0}}
	for _, tt := range tests {
		if got := Compare(tt.a, tt.b); got != tt.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if Latest().Version != "26.6.1" || !Valid("17.0.1") || Valid("17") || Valid("a.b") {
		t.Error("Latest/Valid")
	}
	for i := 1; i < len(Releases); i++ {
		if Releases[i].Date.After(TableDate) {
			t.Errorf("release %s after the table date", Releases[i].Version)
		}
	}
}
