package capture

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func analyzeFile(t *testing.T, path string) *Result {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	res, err := Analyze(context.Background(), fh, filepath.Base(path), Options{})
	if err != nil {
		t.Fatalf("Analyze(%s): %v", path, err)
	}
	return res
}

// TestPublicCaptures checks the values the captures' own projects expect
// (suricata-verify test.yaml/README, nDPI tests/cfgs/default/result).
func TestPublicCaptures(t *testing.T) {
	dir := "../testdata/public"
	t.Run("suricata ja4-tls", func(t *testing.T) {
		res := analyzeFile(t, filepath.Join(dir, "suricata-ja4-tls.pcap"))
		if len(res.TLS) != 1 || res.TLS[0].JA4 != "t12i1810s1_27d4652c4487_06a4338d0495" {
			t.Fatalf("TLS = %+v, want one record with JA4 t12i1810s1_27d4652c4487_06a4338d0495", res.TLS)
		}
	})
	t.Run("suricata tls-client-hello-frag-01", func(t *testing.T) {
		res := analyzeFile(t, filepath.Join(dir, "suricata-tls-client-hello-frag-01.pcap"))
		if len(res.TLS) != 1 || res.TLS[0].SNI != "www.google.com" {
			t.Fatalf("TLS = %+v, want one record with SNI www.google.com", res.TLS)
		}
	})
	t.Run("ndpi tls_malicious_sha1", func(t *testing.T) {
		res := analyzeFile(t, filepath.Join(dir, "ndpi-tls_malicious_sha1.pcapng"))
		if len(res.TLS) != 1 {
			t.Fatalf("TLS = %+v, want one record", res.TLS)
		}
		r := res.TLS[0]
		if r.SNI != "www.prbtest.dev" || r.JA4 != "t12d2808h2_d943125447b4_dd0a478c1db3" || r.JA3 != "00bcd759cb8ad485fdbf1e7a0c5b94b4" {
			t.Errorf("SNI/JA4/JA3 = %s %s %s", r.SNI, r.JA4, r.JA3)
		}
		if !slices.Equal(r.ALPN, []string{"h2", "http/1.1"}) {
			t.Errorf("ALPN = %v", r.ALPN)
		}
		if len(r.Certificates) == 0 || r.Certificates[0].SHA1 != "0ddb34f875632c7e1ec09d75827f82d2336dfeb6" {
			t.Fatalf("certificates = %+v, want leaf SHA-1 0ddb34f8...", r.Certificates)
		}
		c := r.Certificates[0]
		if c.Subject != "CN=www.prbtest.dev" || c.Issuer != "CN=GTS CA 1D4,O=Google Trust Services LLC,C=US" {
			t.Errorf("subject/issuer = %q / %q", c.Subject, c.Issuer)
		}
	})
}
