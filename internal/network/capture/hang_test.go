package capture

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
)

// TestMutatedCaptures runs deterministic random mutations of a small
// capture through the whole pass: no panic, no hang. (A longer run of the
// same loop found the TCP sequence-wrap panic fixed in dissect.Stream.) A
// panic fails the test; a hang fails it at the test timeout.
func TestMutatedCaptures(t *testing.T) {
	seed := smallCapture()
	if _, err := Analyze(context.Background(), bytes.NewReader(seed), "seed", Options{MaxFlows: 64}); err != nil {
		t.Fatalf("the unmutated capture must analyze cleanly: %v", err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	n := 300
	if testing.Short() {
		n = 50
	}
	for i := 0; i < n; i++ {
		b := append([]byte(nil), seed...)
		for k := 0; k < 1+r.IntN(8); k++ {
			b[r.IntN(len(b))] = byte(r.IntN(256))
		}
		_, _ = Analyze(context.Background(), bytes.NewReader(b), "mutated", Options{MaxFlows: 64})
	}
}
