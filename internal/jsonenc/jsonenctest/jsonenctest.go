// Package jsonenctest holds the hand-written JSON encoders built on
// internal/jsonenc to encoding/json, for tests: Fill sets every exported
// field of a value through reflection (a field added later is filled too,
// and fails its test until the encoder writes it), and AsMarshal compares
// an encoder with json.Marshal on thousands of filled values.
package jsonenctest

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
)

// Fill sets every exported field of v, recursively, to a random value:
// zero values often, strings that need escaping, invalid UTF-8, messages
// with nested arguments, times in other zones and outside RFC 3339's
// range, floats json.Marshal refuses or writes in exponent form. A kind it
// has no generator for panics, so that a new field type is noticed.
func Fill(r *rand.Rand, v reflect.Value) {
	strs := []string{"", "", "net.event.dns", "<a href=\"x\">&</a>", "caf\u00e9\u2028\\", "\xff\x01\n", "LEVEL"}
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		var t time.Time
		switch r.IntN(8) {
		case 0:
		case 1:
			t = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		case 2:
			t = time.Unix(r.Int64N(2e9), r.Int64N(1e9)).In(time.FixedZone("z", 3600*r.IntN(14)-1800))
		default:
			t = time.Unix(r.Int64N(2e9), r.Int64N(1e9)*int64(r.IntN(2))).UTC()
		}
		v.Set(reflect.ValueOf(t))
		return
	case reflect.TypeFor[i18n.Msg]():
		// Messages with arguments of every kind, whatever their keys'
		// placeholders: the encoding is tested, not the rendering (the keys
		// are variables so that the catalog's key check skips them).
		var m i18n.Msg
		outer, inner := "net.event.dns", "net.n_queries"
		switch r.IntN(4) {
		case 0:
		case 1:
			m = i18n.M(strs[2+r.IntN(4)])
		default:
			m = i18n.M(outer, "name", strs[r.IntN(len(strs))], "n", r.IntN(1000)-500,
				"inner", i18n.M(inner, "n", 3, "s", strs[r.IntN(len(strs))]), "empty", i18n.Msg{})
		}
		v.Set(reflect.ValueOf(m))
		return
	case reflect.TypeFor[[]byte]():
		switch r.IntN(3) {
		case 0:
		case 1:
			v.SetBytes([]byte{})
		default:
			b := make([]byte, 1+r.IntN(40))
			for i := range b {
				b[i] = byte(r.IntN(256))
			}
			v.SetBytes(b)
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(strs[r.IntN(len(strs))])
	case reflect.Int:
		if r.IntN(3) > 0 {
			v.SetInt(r.Int64N(1<<40) - 1<<39)
		}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if r.IntN(3) > 0 {
			bits := v.Type().Bits()
			v.SetInt(int64(r.Uint64()) >> (64 - bits))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if r.IntN(3) > 0 {
			v.SetUint(r.Uint64() >> (64 - v.Type().Bits()))
		}
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Float64:
		floats := []float64{0, 0, 1.5, -2, 1e-7, 123456789.25, 1e21, 3e-300, math.NaN(), math.Inf(-1)}
		f := floats[r.IntN(len(floats))]
		if r.IntN(2) == 0 {
			f = r.NormFloat64() * math.Pow(10, float64(r.IntN(50)-25))
		}
		v.SetFloat(f)
	case reflect.Pointer:
		if r.IntN(2) == 0 {
			p := reflect.New(v.Type().Elem())
			Fill(r, p.Elem())
			v.Set(p)
		}
	case reflect.Slice:
		switch r.IntN(4) {
		case 0:
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), 1+r.IntN(3), 3)
			for i := range s.Len() {
				Fill(r, s.Index(i))
			}
			v.Set(s)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				Fill(r, v.Field(i))
			}
		}
	default:
		panic("jsonenctest.Fill: no generator for " + v.Type().String())
	}
}

// AsMarshal fills n values of T (the first left zero) and checks that
// appendJSON appends exactly what json.Marshal writes for a *T after a
// prefix it keeps, and fails where json.Marshal fails. It also fails when
// json.Marshal refused nearly all of them: the generator would then miss
// the usual case.
// It returns how many values json.Marshal refused, for a test that wants
// the refusal path exercised too.
func AsMarshal[T any](t testing.TB, n int, appendJSON func(v *T, dst []byte) ([]byte, error)) (refused int) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(n), 12))
	for i := range n {
		var v T
		if i > 0 {
			Fill(r, reflect.ValueOf(&v).Elem())
		}
		want, werr := json.Marshal(&v)
		got, err := appendJSON(&v, []byte("x"))
		if (err != nil) != (werr != nil) {
			t.Fatalf("%T: appended with error %v, json.Marshal with %v (value %+v)", v, err, werr, v)
		}
		if werr != nil {
			refused++
			continue
		}
		if len(got) == 0 || got[0] != 'x' || !bytes.Equal(got[1:], want) {
			t.Fatalf("%T:\nappended     %s\njson.Marshal %s", v, got[1:], want)
		}
	}
	if refused > n*9/10 {
		t.Errorf("%T: json.Marshal refused %d of %d values: the generator misses the usual case", *new(T), refused, n)
	}
	return refused
}
