package timefmt

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAsAppendFormat: AppendMicro gives time.Time.AppendFormat's bytes,
// for times spread over years -100 to 10100, whole seconds, every fraction
// length, UTC and other locations.
func TestAsAppendFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	locs := []*time.Location{time.UTC, time.FixedZone("UTC", 0), time.FixedZone("X", -5*3600-30*60), paris, time.Local}
	lo := time.Date(-100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(10100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	times := []time.Time{{}, time.Unix(0, 0), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}
	for range 20000 {
		ns := []int{0, rng.IntN(1e9), rng.IntN(1e6) * 1000, rng.IntN(1e3) * 1e6, 100, 120000000}[rng.IntN(6)]
		times = append(times, time.Unix(lo+rng.Int64N(hi-lo), int64(ns)))
	}
	for i, tm := range times {
		tm = tm.In(locs[i%len(locs)])
		if got, want := string(AppendMicro(nil, tm)), tm.Format(Micro); got != want {
			t.Fatalf("AppendMicro(%v) = %q, want %q", tm, got, want)
		}
		if got, want := string(AppendMicro([]byte("x"), tm)), "x"+tm.Format(Micro); got != want {
			t.Fatalf("AppendMicro(x, %v) = %q, want %q", tm, got, want)
		}
	}
}

func BenchmarkAppendMicro(b *testing.B) {
	tm := time.Date(2023, 9, 9, 10, 2, 30, 123456789, time.UTC)
	var buf []byte
	for b.Loop() {
		buf = AppendMicro(buf[:0], tm)
	}
}

func BenchmarkFormatMicro(b *testing.B) {
	tm := time.Date(2023, 9, 9, 10, 2, 30, 123456789, time.UTC)
	var buf []byte
	for b.Loop() {
		buf = tm.AppendFormat(buf[:0], Micro)
	}
}
