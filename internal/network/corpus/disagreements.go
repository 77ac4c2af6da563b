package corpus

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Diff is how spyscan's values of one field differ from the reference's.
type Diff struct {
	Missing []string // seen by the reference only
	Extra   []string // seen by spyscan only
}

// Compare returns the difference between the reference's sorted values and
// spyscan's.
func Compare(ref, got []string) Diff {
	var d Diff
	for _, v := range ref {
		if _, ok := slices.BinarySearch(got, v); !ok {
			d.Missing = append(d.Missing, v)
		}
	}
	for _, v := range got {
		if _, ok := slices.BinarySearch(ref, v); !ok {
			d.Extra = append(d.Extra, v)
		}
	}
	return d
}

// Empty reports whether both sides agree.
func (d Diff) Empty() bool { return len(d.Missing) == 0 && len(d.Extra) == 0 }

// Format writes the difference as the disagreements file spells it: "-v"
// for a value only the reference saw, "+v" for one only spyscan saw, "-*"
// when spyscan saw none of the reference's values and nothing else, "+*"
// when the reference saw none of spyscan's.
func (d Diff) Format(ref, got []string) string {
	var toks []string
	switch {
	case len(got) == 0 && len(ref) > 0:
		return "-*"
	case len(ref) == 0 && len(got) > 0:
		return "+*"
	}
	for _, v := range d.Missing {
		toks = append(toks, "-"+quote(v))
	}
	for _, v := range d.Extra {
		toks = append(toks, "+"+quote(v))
	}
	return strings.Join(toks, " ")
}

func quote(v string) string {
	if v == "" || v == "*" || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r > '~' || r == '"' || r == '\\' }) {
		return strconv.Quote(v)
	}
	return v
}

// Disagreement is one line of the disagreements file.
type Disagreement struct {
	Line    int
	Capture string
	Field   Field
	Diff    string // as Diff.Format writes it
	Reason  string
}

// Key identifies the capture and field a disagreement is about.
func (d Disagreement) Key() string { return d.Capture + "\t" + string(d.Field) }

// reasonRE is the grammar of a reason: who is wrong, and why.
var reasonRE = regexp.MustCompile(`^(tshark is wrong here \(.+\)|FoxIO's output is wrong here \(.+\)|spyscan gap: (issue 11 item [1-9]|new) \(.+\))$`)

// ReadDisagreements parses the disagreements file: tab-separated capture,
// field, difference and reason; '#' starts a comment line.
func ReadDisagreements(r io.Reader) ([]Disagreement, error) {
	var out []Disagreement
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	seen := map[string]int{}
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			return nil, fmt.Errorf("line %d: want 4 tab-separated columns (capture, field, difference, reason), got %d", n, len(cols))
		}
		d := Disagreement{Line: n, Capture: cols[0], Field: Field(cols[1]), Diff: cols[2], Reason: cols[3]}
		if !slices.Contains(Fields, d.Field) {
			return nil, fmt.Errorf("line %d: unknown field %q", n, cols[1])
		}
		if !reasonRE.MatchString(d.Reason) {
			return nil, fmt.Errorf("line %d: reason %q must read \"tshark is wrong here (why)\", \"FoxIO's output is wrong here (why)\", \"spyscan gap: issue 11 item N (what)\" or \"spyscan gap: new (what)\"", n, d.Reason)
		}
		if prev, dup := seen[d.Key()]; dup {
			return nil, fmt.Errorf("line %d: %s %s already listed on line %d", n, d.Capture, d.Field, prev)
		}
		seen[d.Key()] = n
		out = append(out, d)
	}
	return out, sc.Err()
}

// Wrong reports who the disagreement blames: "reference" when tshark or
// FoxIO is wrong, "spyscan" for a gap.
func (d Disagreement) Wrong() string {
	if strings.HasPrefix(d.Reason, "spyscan gap") {
		return "spyscan"
	}
	return "reference"
}
