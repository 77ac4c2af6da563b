package resourceloadstats

// Joinable exposes joinable to the tests.
var Joinable = joinable
