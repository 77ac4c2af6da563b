package datausage

// Joinable exposes joinable to the tests.
var Joinable = joinable
