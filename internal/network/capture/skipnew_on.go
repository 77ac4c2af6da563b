//go:build netbench_skipnew

package capture

// skipNew, set only by the build tag netbench_skipnew (never in a release
// build: it hides traffic), skips what issue 11's decoders claim, so that
// their cost on a capture is the difference of two passes
// (docs/perf/network.md, "Issue 11, eighth session"): packets that came
// through a tunnel, TCP flows that do not start with TLS, HTTP, HTTP/2 or
// DNS to port 53 (no preamble reading, no TLS search), DNS recognised by
// content on other ports, ClientHellos after a connection's first, and
// QUIC long headers of versions other than v1, v2 and IETF drafts.
const skipNew = true
