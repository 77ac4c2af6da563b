package capture

import (
	"github.com/spyscan/spyscan/internal/network/dissect"
)

// h2Stream reads the HTTP/2 frames of direction d (0 client, 1 server) of
// a clear-text HTTP/2 connection: the DNS messages it carries (DNS over
// HTTPS sent in clear, RFC 8484) are read like any other DNS message.
func (a *analyzer) h2Stream(f *flow, s *dissect.Stream, d int) {
	rd := f.h2[d]
	n, err := rd.Feed(s.Data, func(msg []byte) { a.dnsMessage(f, msg) })
	s.Discard(n)
	if err != nil {
		a.problem("HTTP/2: frames out of step")
	}
	if rd.Done() || s.Full && n == 0 {
		s.Close()
		if d == 1 {
			f.serverDone = true
		}
	}
}
