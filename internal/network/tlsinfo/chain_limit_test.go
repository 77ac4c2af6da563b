package tlsinfo_test

import (
	"fmt"
	"testing"

	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// certificateMsg builds a TLS 1.2 Certificate handshake message holding
// the given DER blobs.
func certificateMsg(ders [][]byte) []byte {
	u24 := func(n int) []byte { return []byte{byte(n >> 16), byte(n >> 8), byte(n)} }
	var list []byte
	for _, d := range ders {
		list = append(append(list, u24(len(d))...), d...)
	}
	body := append(u24(len(list)), list...)
	return append(append([]byte{tlsinfo.TypeCertificate}, u24(len(body))...), body...)
}

// TestCertificateChainLimit: a chain of MaxChain certificates is read
// whole; past it, the first MaxChain are kept (the leaf and its issuers
// come first) and the rest are not described.
func TestCertificateChainLimit(t *testing.T) {
	for _, n := range []int{tlsinfo.MaxChain, tlsinfo.MaxChain + 1} {
		ders := make([][]byte, n)
		for i := range ders {
			ders[i] = []byte(fmt.Sprintf("certificate %d", i))
		}
		certs, err := tlsinfo.ParseCertificateMsg(certificateMsg(ders))
		if err != nil || len(certs) != tlsinfo.MaxChain {
			t.Fatalf("chain of %d: %d described, %v; want %d", n, len(certs), err, tlsinfo.MaxChain)
		}
		if want := tlsinfo.Describe(ders[tlsinfo.MaxChain-1]).SHA256; certs[tlsinfo.MaxChain-1].SHA256 != want {
			t.Errorf("chain of %d: the last described is not certificate %d", n, tlsinfo.MaxChain-1)
		}
	}
}
