package adbkey

import (
	"testing"
	"testing/fstest"
)

// TestKnownAnswers: fingerprints taken from sources other than this code.
// "QUJDRA==" is the four bytes "ABCD"; MVT's Samsung log test expects
// CB:08:CA:4A:7B:B5:F9:68:3C:19:13:3A:84:87:2C:A7 for it (the MD5 of "ABCD",
// as `printf ABCD | md5sum` gives).
func TestKnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Key
	}{
		{"QUJDRA== host@example", Key{"QUJDRA==", "host@example", "CB:08:CA:4A:7B:B5:F9:68:3C:19:13:3A:84:87:2C:A7"}},
		{"  QUJDRA==  ", Key{"QUJDRA==", "", "CB:08:CA:4A:7B:B5:F9:68:3C:19:13:3A:84:87:2C:A7"}},
		{"not-base64! me@pc", Key{"not-base64!", "me@pc", ""}},
		{"", Key{}},
	} {
		if got := Parse(tc.line); got != tc.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.line, got, tc.want)
		}
	}
}

func TestQFHost(t *testing.T) {
	fsys := fstest.MapFS{"acquisition.json": {Data: []byte(`{"adb_host_public_key": "QUJDRA== analyst@lab"}`)}}
	h := QFHost(fsys)
	if !h.Known() || !h.Matches(Parse("QUJDRA== someone@else")) || h.Matches(Parse("QUJDRQ== x")) {
		t.Errorf("host %+v", h)
	}
	for _, data := range []string{`{}`, `{"adb_host_public_key": 3}`, `not json`} {
		if h := QFHost(fstest.MapFS{"acquisition.json": {Data: []byte(data)}}); h.Known() {
			t.Errorf("%s: host %+v", data, h)
		}
	}
	if QFHost(fstest.MapFS{}).Known() {
		t.Error("no acquisition.json: host known")
	}
}
