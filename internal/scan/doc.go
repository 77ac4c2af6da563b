// Package scan owns the scan core: it recognises each input with the
// registered openers, hashes every input file, runs the applicable modules
// with bounded concurrency, and assembles one model.Report.
package scan
