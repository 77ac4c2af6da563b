//go:build !race

package labtest

// Race says whether the tests were built with the race detector.
const Race = false
