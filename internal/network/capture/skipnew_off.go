//go:build !netbench_skipnew

package capture

// skipNew is false in every build but the benchmark's A/B build (see
// skipnew_on.go): the compiler drops the code it guards.
const skipNew = false
