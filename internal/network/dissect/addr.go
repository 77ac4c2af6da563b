package dissect

import (
	"net/netip"
	"strings"
)

// ParseAddr is netip.ParseAddr for text that is usually a name rather than
// an address (an SNI, a Host header, a certificate SAN): a string without a
// ':' that holds a byte other than a digit or a '.' cannot be an address
// (netip reads the IPv4 form only from digits and dots), so it is refused
// without building netip's error, one allocation per refused call on the
// packet path. The result is always netip.ParseAddr's.
func ParseAddr(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	if strings.IndexByte(s, ':') < 0 {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c != '.' && (c < '0' || c > '9') {
				return netip.Addr{}, false
			}
		}
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}
