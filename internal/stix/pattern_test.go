package stix

import (
	"reflect"
	"strings"
	"testing"
)

func TestParsePattern(t *testing.T) {
	tests := []struct {
		in   string
		want []Comparison
	}{
		{"[domain-name:value='evil.com']", []Comparison{{"domain-name", "value", "evil.com", false}}},
		{"[ domain-name:value = 'evil.com' ]", []Comparison{{"domain-name", "value", "evil.com", false}}},
		{"[file:hashes.'SHA-256'='abc']", []Comparison{{"file", "hashes.sha-256", "abc", false}}},
		{"[file:hashes.sha256='abc']", []Comparison{{"file", "hashes.sha256", "abc", false}}},
		{"[url:value='https://a.com/?x=1&y=2']", []Comparison{{"url", "value", "https://a.com/?x=1&y=2", false}}},
		{`[process:name='it\'s']`, []Comparison{{"process", "name", "it's", false}}},
		{`[file:path='C:\\x\\y']`, []Comparison{{"file", "path", `C:\x\y`, false}}},
		{"[domain-name:value='a.com' OR domain-name:value='b.com']", []Comparison{
			{"domain-name", "value", "a.com", false}, {"domain-name", "value", "b.com", false}}},
		{"[app:id='x' AND app:cert.sha1='y']", []Comparison{{"app", "id", "x", true}, {"app", "cert.sha1", "y", true}}},
		{"[(domain-name:value='a.com' OR domain-name:value='b.com') AND ipv4-addr:value='1.2.3.4']", []Comparison{
			{"domain-name", "value", "a.com", true}, {"domain-name", "value", "b.com", true}, {"ipv4-addr", "value", "1.2.3.4", true}}},
		{"[domain-name:value='a.com'] OR [email-addr:value='x@y.z']", []Comparison{
			{"domain-name", "value", "a.com", false}, {"email-addr", "value", "x@y.z", false}}},
		{"[domain-name:value='a.com'] AND [email-addr:value='x@y.z']", []Comparison{
			{"domain-name", "value", "a.com", true}, {"email-addr", "value", "x@y.z", true}}},
		{"[domain-name:value='a.com' or domain-name:value='b.com']", []Comparison{
			{"domain-name", "value", "a.com", false}, {"domain-name", "value", "b.com", false}}},
		{"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'='ua']", []Comparison{
			{"network-traffic", "extensions.http-request-ext.request_header.user-agent", "ua", false}}},
		{"[file:name = 'a=b']", []Comparison{{"file", "name", "a=b", false}}},
	}
	for _, tt := range tests {
		got, err := ParsePattern(tt.in)
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParsePattern(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestParsePatternErrors(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "unexpected end"},
		{"domain-name:value='a'", "want '[' or '('"},
		{"[domain-name:value='a'", "want ']'"},
		{"[domain-name:value='a]", "unterminated string"},
		{"[domain-name:value LIKE 'a%']", "operator LIKE is not supported"},
		{"[domain-name:value != 'a']", "operator != is not supported"},
		{"[domain-name:value = 'a'] WITHIN 5 SECONDS", "qualifier WITHIN"},
		{"[value='a']", "object path"},
		{"[domain-name:value = 5]", "quoted string"},
		{"[a:b='x'] junk", "unexpected"},
		{`[a:b='x\`, "unterminated"},
	}
	for _, tt := range tests {
		_, err := ParsePattern(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParsePattern(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
		}
	}
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{"[domain-name:value='evil.com']", "[a:b='x' AND (c:d='y' OR e:f='z')]", `[p:n='it\'s']`, "[file:hashes.'SHA-256'='a']", "(([a:b='c']))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := ParsePattern(s)
		if err == nil && len(cs) == 0 {
			t.Fatalf("no error and no comparison for %q", s)
		}
	})
}
