package output

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
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
