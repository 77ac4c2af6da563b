package safearchive

import "testing"

func TestSafeName(t *testing.T) {
	for name, want := range map[string]bool{
		"main_entry.txt": true, "FS/data/tombstones/tombstone_00": true, "dir/": true, "a/..b/c": true,
		"": false, "/etc/passwd": false, "../x": false, "a/../../x": false, `a\..\..\x`: false,
		"C:/Windows": false, `c:\x`: false, "a\x00b": false, "..": false,
	} {
		if got := SafeName(name); got != want {
			t.Errorf("SafeName(%q) = %v, want %v", name, got, want)
		}
	}
}
