package capture

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestPublicQUICVersions: real captures of mvfst, Google T05x and a version
// negotiation forced by a greased version. SNI and ALPN as nDPI's expected
// output (tests/cfgs/default/result) and tshark 4.0.17 read them; the JA4
// hashed parts (b and c) equal nDPI's, its first part follows the FoxIO
// specification where nDPI departs from it (first and last ALPN characters:
// "h3-fb-05" gives "h5", nDPI "h3"; 'i' without SNI, nDPI 'd').
func TestPublicQUICVersions(t *testing.T) {
	tests := []struct {
		file, version, sni, alpn, ja4 string
		versions                      []string
		vn                            bool
	}{
		{"ndpi-quic-mvfst-22-first4.pcap", "mvfst-22", "graph.facebook.com", "h3-fb-05", "q00d0109h5_0f2cb44170f4_01b7bde4a3dd", []string{"mvfst-22"}, false},
		{"ndpi-quic-mvfst-27.pcapng", "mvfst-27", "graph.facebook.com", "h3-fb-05", "q00d0108h5_0f2cb44170f4_f4b4187450f5", []string{"mvfst-27"}, false},
		{"ndpi-quic-mvfst-exp.pcap", "mvfst-exp", "video.fmct2-3.fna.fbcdn.net", "h3-fb-05", "q00d0108h5_0f2cb44170f4_f4b4187450f5", []string{"mvfst-exp"}, false},
		{"ndpi-quic_t50.pcap", "T050", "fonts.googleapis.com", "h3-T050", "q13d0309h0_55b375c5d22e_f68d9329452a", []string{"T050"}, false},
		{"ndpi-quic_t51.pcap", "T051", "www.google.com", "h3-T051", "q13d0308h1_55b375c5d22e_e7bc1e4f333e", []string{"T051"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := analyzeFile(t, filepath.Join("../testdata/public", tc.file))
			if len(res.QUIC) != 1 {
				t.Fatalf("QUIC records %+v", res.QUIC)
			}
			q := res.QUIC[0]
			if q.Version != tc.version || q.SNI != tc.sni || len(q.ALPN) == 0 || q.ALPN[0] != tc.alpn || q.JA4 != tc.ja4 ||
				!slices.Equal(q.Versions, tc.versions) || !q.Decoded {
				t.Errorf("record %+v", q)
			}
			if obs(res, KindDomain, tc.sni) == nil || obs(res, KindJA4, tc.ja4) == nil {
				t.Error("SNI or JA4 not observed")
			}
		})
	}
	t.Run("ndpi-quic-forcing-vn-with-data.pcapng", func(t *testing.T) {
		// a 0xbabababa Initial (protected like v1), the server's version
		// negotiation, then v1: nDPI's JA4 q13d0307h3_55b375c5d22e_f0736a66fa6b
		// is the second ClientHello's (no SNI: 'i' in the specification)
		res := analyzeFile(t, filepath.Join("../testdata/public", "ndpi-quic-forcing-vn-with-data.pcapng"))
		if len(res.QUIC) != 1 {
			t.Fatalf("QUIC records %+v", res.QUIC)
		}
		q := res.QUIC[0]
		if !q.VersionNegotiation || !slices.Equal(q.Versions, []string{"greased 0xbabababa", "v1"}) || len(q.Fingerprints) != 2 ||
			q.Fingerprints[1].JA4 != "q13i0307h3_55b375c5d22e_f0736a66fa6b" || q.Fingerprints[1].Hello != "after version negotiation" {
			t.Errorf("record %+v", q)
		}
	})
}
