package testgen_test

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/ios/typedstream"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// The writer reproduces a body written by iOS itself (a real sample kept
// with the decoder's test data), so fixtures built with it have the shape
// of real data.
func TestIOSGenMessageBodyMatchesARealOne(t *testing.T) {
	real, err := os.ReadFile("../ios/typedstream/testdata/crabstep/AttributedBodyTextOnly")
	if err != nil {
		t.Fatal(err)
	}
	if got := iosgen.MessageBody("Noter test", ""); !bytes.Equal(got, real) {
		t.Errorf("MessageBody differs from the real body:\n got %x\nwant %x", got, real)
	}
}

func TestIOSGenMessageBodyRoundTrip(t *testing.T) {
	long := string(bytes.Repeat([]byte("é"), 300))
	for _, tt := range []struct{ text, link string }{
		{"plain", ""}, {"", ""}, {"tap here", "https://example.org/x?y=1"}, {long, "https://a.example/" + long}, {"emoji 🅱️", ""},
	} {
		a, err := typedstream.AttributedString(iosgen.MessageBody(tt.text, tt.link))
		want := []string(nil)
		if tt.link != "" {
			want = []string{tt.link}
		}
		if err != nil || a.Text != tt.text || !slices.Equal(a.Links, want) {
			t.Errorf("%q %q: got %q %q %v", tt.text, tt.link, a.Text, a.Links, err)
		}
	}
}
