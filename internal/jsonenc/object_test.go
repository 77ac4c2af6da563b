package jsonenc_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/jsonenc"
	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

// every has a field for each of Object's methods.
type every struct {
	S   string    `json:"s"`
	SO  string    `json:"so,omitempty"`
	SS  []string  `json:"ss"`
	SSO []string  `json:"sso,omitempty"`
	I   int64     `json:"i"`
	IO  int       `json:"io,omitempty"`
	U   uint32    `json:"u"`
	B   bool      `json:"b"`
	BO  bool      `json:"bo,omitempty"`
	F   float64   `json:"f"`
	Y   []byte    `json:"y"`
	YO  []byte    `json:"yo,omitempty"`
	T   time.Time `json:"t"`
	TO  time.Time `json:"to,omitzero"`
	N   *int64    `json:"n"`
}

func (e *every) appendJSON(dst []byte, open func([]byte) jsonenc.Object) ([]byte, error) {
	o := open(dst)
	o.String("s", e.S)
	o.StringOmitEmpty("so", e.SO)
	o.Strings("ss", e.SS)
	o.StringsOmitEmpty("sso", e.SSO)
	o.Int("i", e.I)
	o.IntOmitEmpty("io", int64(e.IO))
	o.Uint("u", uint64(e.U))
	o.Bool("b", e.B)
	o.BoolOmitEmpty("bo", e.BO)
	o.Float64("f", e.F)
	o.Bytes("y", e.Y)
	o.BytesOmitEmpty("yo", e.YO)
	o.Time("t", e.T)
	o.TimeOmitZero("to", e.TO)
	o.Key("n")
	if e.N == nil {
		o.B = append(o.B, "null"...)
	} else {
		o.B = jsonenc.Int(o.B, *e.N)
	}
	return o.Close()
}

func TestObjectAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, func(e *every, dst []byte) ([]byte, error) { return e.appendJSON(dst, jsonenc.Open) })
}

// OpenNoHTMLEscape's objects are what a json.Encoder with
// SetEscapeHTML(false) writes.
func TestObjectNoHTMLEscape(t *testing.T) {
	e := every{S: "<a>&", SO: "x>y", SS: []string{"&"}, T: time.Unix(0, 0).UTC()}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&e); err != nil {
		t.Fatal(err)
	}
	got, err := e.appendJSON(nil, jsonenc.OpenNoHTMLEscape)
	if err != nil || string(got)+"\n" != want.String() {
		t.Errorf("got %s, %v\nwant %s", got, err, want.Bytes())
	}
}
