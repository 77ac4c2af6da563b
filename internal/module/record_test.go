package module

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
)

// appender is a record with its own encoder; refuse makes it fail, as a
// time out of RFC 3339's range does.
type appender struct {
	N      int    `json:"n"`
	S      string `json:"s"`
	refuse bool
}

func (a *appender) AppendJSON(b []byte) ([]byte, error) {
	if a.refuse {
		return b, errors.New("refused")
	}
	b = append(b, `{"n":`...)
	b = strconv.AppendInt(b, int64(a.N), 10)
	b = append(b, `,"s":`...)
	b = strconv.AppendQuote(b, a.S)
	return append(b, '}'), nil
}

func TestRecordUsesJSONAppender(t *testing.T) {
	recs := []*appender{{N: 1, S: "a"}, {N: 22, S: "bb"}, {N: 3, S: "refused", refuse: true}, {N: 4, S: "c"}}
	want := []string{`{"n":1,"s":"a"}`, `{"n":22,"s":"bb"}`, `{"n":3,"s":"refused"}`, `{"n":4,"s":"c"}`}

	var streamed []string // a sink's bytes are valid during the call only: copied here
	stream := NewRecorder("m", nil, func(b json.RawMessage) error { streamed = append(streamed, string(b)); return nil })
	kept := NewRecorder("m", nil, nil)
	for _, r := range recs {
		stream.Record(r)
		kept.Record(r)
	}
	res := kept.Result()
	for i, w := range want {
		if streamed[i] != w {
			t.Errorf("streamed record %d = %s, want %s", i, streamed[i], w)
		}
		if string(res.Records[i]) != w { // kept records must not share the reused buffer
			t.Errorf("kept record %d = %s, want %s", i, res.Records[i], w)
		}
	}
	if s := stream.Result().Seen; s != len(recs) || res.Seen != len(recs) {
		t.Errorf("seen %d and %d, want %d", s, res.Seen, len(recs))
	}
}
