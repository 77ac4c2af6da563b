package zeeklog

import "testing"

func TestSniff(t *testing.T) {
	tests := []struct {
		head, typ string
		f         Format
		ok        bool
	}{
		{tsvDNS, DNS, FormatTSV, true},
		{`{"ts":1,"uid":"C","id.orig_h":"1.2.3.4","query":"a.example"}` + "\n", DNS, FormatJSON, true},
		{`{"ts":1,"uid":"C","server_name":"a.example","cipher":"x"}`, SSL, FormatJSON, true},
		{`{"ts":1,"id":"F","fingerprint":"ab","certificate.subject":"CN=x"}`, X509, FormatJSON, true},
		{`{"ts":1,"uid":"C","method":"GET","host":"a"}`, HTTP, FormatJSON, true},
		{`{"ts":1,"uid":"C","conn_state":"SF"}`, Conn, FormatJSON, true},
		{`{"name":"x"}`, "", FormatUnknown, false},
		{"free247downloads.com\n", "", FormatUnknown, false},
	}
	for _, tc := range tests {
		typ, f, ok := Sniff([]byte(tc.head))
		if typ != tc.typ || f != tc.f || ok != tc.ok {
			t.Errorf("Sniff(%.30q) = %q %v %v, want %q %v %v", tc.head, typ, f, ok, tc.typ, tc.f, tc.ok)
		}
	}
	for name, want := range map[string]string{"dns.log": DNS, "ssl.2024-01-01-00-00-00.log.gz": SSL, "x509.log": X509, "dnsmasq.log": "", "conn_1.log": Conn, "weird.log": ""} {
		if got := TypeFromName(name); got != want {
			t.Errorf("TypeFromName(%q) = %q, want %q", name, got, want)
		}
	}
}
