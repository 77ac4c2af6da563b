package output

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"slices"
	"testing"
)

// The timeline CSV's rows must be what encoding/csv writes.
func TestCSVRowAsEncodingCSV(t *testing.T) {
	fields := []string{"", " ", "a", `\.`, `\.x`, "a,b", `say "hi"`, `"`, `""`, "a\nb", "a\r\nb", "\r", " lead", "\tlead", "\u00a0nbsp",
		"\u2028line", "trail ", "é", "\xff\xfe", "=1+2", "/data/local/tmp/x", "2024-05-19 10:10:10.000000"}
	r := rand.New(rand.NewPCG(7, 8))
	alphabet := []string{"a", ",", `"`, "\n", "\r", " ", "\t", "\u00a0", "é", "\xff", `\`, "."}
	for range 2000 {
		var b []byte
		for range r.IntN(6) {
			b = append(b, alphabet[r.IntN(len(alphabet))]...)
		}
		fields = append(fields, string(b))
	}
	for i := 0; i+4 <= len(fields); i++ {
		row := fields[i : i+4]
		var want bytes.Buffer
		cw := csv.NewWriter(&want)
		if err := cw.Write(row); err != nil {
			t.Fatal(err)
		}
		cw.Flush()
		if got := appendCSVRow(nil, row...); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("row %q: got %q, want %q", row, got, want.Bytes())
		}
	}
}

// csvCellCases are texts for appendCSVCell: printable ASCII that needs
// quotes or not, formulas, \., spaces, control and non-ASCII characters.
var csvCellCases = []string{"", " ", "a", `\.`, `\.x`, "a,b", `say "hi"`, `"`, `""`, "a\nb", "\r", " lead", "\tlead", "\u00a0nbsp",
	"\u2028line", "\u202eevil", "trail ", "é", "\xff\xfe", "=1+2", "+41790000001", "-x", "@sum", "a=b", "~", "\x7f", "\x00",
	"/data/local/tmp/x", "received SMS message from +41790000001: see https://www.example.org/a/1, now"}

// TestCSVCellOnePass: the one-pass writer of a timeline cell writes what
// csvCell and appendCSVField write, for the cases above and random texts.
func TestCSVCellOnePass(t *testing.T) {
	fields := slices.Clone(csvCellCases)
	r := rand.New(rand.NewPCG(9, 10))
	alphabet := []string{"a", ",", `"`, "\n", "\r", " ", "\t", "=", "+", "-", "@", "\u00a0", "\u200b", "é", "\xff", "\x1b", `\`, "."}
	for range 5000 {
		var b []byte
		for range r.IntN(7) {
			b = append(b, alphabet[r.IntN(len(alphabet))]...)
		}
		fields = append(fields, string(b))
	}
	for _, f := range fields {
		want := appendCSVField([]byte("x,"), csvCell(f))
		if got := appendCSVCell([]byte("x,"), f); !bytes.Equal(got, want) {
			t.Errorf("cell %q: got %q, want %q", f, got, want)
		}
	}
}

// FuzzCSVCell holds the one-pass cell writer to csvCell and
// appendCSVField on any text (descriptions hold text from the evidence).
func FuzzCSVCell(f *testing.F) {
	for _, s := range csvCellCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := appendCSVField(nil, csvCell(s))
		if got := appendCSVCell(nil, s); !bytes.Equal(got, want) {
			t.Errorf("cell %q: got %q, want %q", s, got, want)
		}
	})
}
