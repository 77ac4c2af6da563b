package iosmod_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/ios/iosmod"
)

func TestJSONValueAlwaysEncodes(t *testing.T) {
	v := map[string]any{
		"far":  time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC),
		"bc":   time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		"ok":   time.Date(2021, 7, 14, 9, 30, 0, 0, time.FixedZone("x", 7200)),
		"nan":  math.NaN(),
		"inf":  []any{math.Inf(1), float32(math.Inf(-1))},
		"data": []byte{0, 1, 2},
	}
	b, err := json.Marshal(iosmod.JSONValue(v))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"bc":"-0005-01-01 00:00:00 +0000 UTC","data":"AAEC","far":"12000-01-01 00:00:00 +0000 UTC","inf":["+Inf","-Inf"],"nan":"NaN","ok":"2021-07-14T07:30:00Z"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if !iosmod.ValidTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() || iosmod.ValidTime(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		t.Error("ValidTime")
	}
}

func TestStringsOrderAndDepth(t *testing.T) {
	var got []string
	iosmod.Strings(map[string]any{"b": []any{"x", map[string]any{"c": "y"}}, "a": 1}, func(s string) { got = append(got, s) })
	if want := []string{"a", "b", "x", "c", "y"}; len(got) != len(want) || got[0] != "a" || got[2] != "x" || got[4] != "y" {
		t.Errorf("got %q", got)
	}
	deep := any("leaf")
	for i := 0; i < 200; i++ {
		deep = []any{deep}
	}
	n := 0
	iosmod.Strings(deep, func(string) { n++ })
	if n != 0 {
		t.Error("depth not bounded")
	}
}
