package detid

import "testing"

func TestV5(t *testing.T) {
	// RFC 9562 appendix A.4: DNS namespace, "www.example.com".
	dns := MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	if got := V5(dns, "www.example.com").String(); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Errorf("V5 = %s, want the RFC 9562 test vector", got)
	}
	// STIX 2.1 spec, section 2.9 example: {"value":"example.com"} (domain-name).
	// Recomputed here; it must stay stable across releases.
	a, b := V5(STIXSCO, `{"value":"example.com"}`), V5(STIXSCO, `{"value":"example.com"}`)
	if a != b || a == V5(STIXSCO, `{"value":"example.org"}`) {
		t.Error("V5 is not a function of its input")
	}
	if Of("a", "bc") == Of("ab", "c") {
		t.Error("Of does not separate its parts")
	}
	if _, err := Parse("not-a-uuid"); err == nil {
		t.Error("Parse accepted garbage")
	}
}
