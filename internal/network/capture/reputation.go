package capture

import "strings"

// Local stand-ins for the shared lists of internal/network/reputation, kept
// deliberately small until that package is merged.

var suspiciousTLDs = map[string]bool{"zip": true, "mov": true, "top": true, "xyz": true, "tk": true,
	"ml": true, "ga": true, "cf": true, "gq": true, "click": true, "country": true, "kim": true,
	"work": true, "loan": true, "men": true, "rest": true, "cam": true, "icu": true, "cyou": true,
	"buzz": true, "monster": true, "sbs": true, "cfd": true, "quest": true, "bond": true}

var freeDNSProviders = []string{"duckdns.org", "no-ip.com", "no-ip.org", "no-ip.biz", "ddns.net",
	"hopto.org", "zapto.org", "sytes.net", "servebeer.com", "serveftp.com", "dynu.com", "dynu.net",
	"freedns.afraid.org", "mooo.com", "chickenkiller.com", "dyndns.org", "dynv6.net", "ngrok.io",
	"ngrok-free.app", "3utilities.com", "bounceme.net", "myftp.biz", "myvnc.com", "servehttp.com",
	"dnsalias.com", "dnsalias.net", "publicvm.com", "linkpc.net", "giize.com", "gleeze.com"}

func suspiciousTLD(name string) (string, bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", false
	}
	t := name[i+1:]
	return t, suspiciousTLDs[t]
}

func freeDNS(name string) (string, bool) {
	for _, p := range freeDNSProviders {
		if strings.HasSuffix(name, "."+p) {
			return p, true
		}
	}
	return "", false
}
