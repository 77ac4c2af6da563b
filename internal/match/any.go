package match

import (
	"strings"

	"github.com/spyscan/spyscan/internal/model"
)

// Any matches a value whose type is not known, as typed by a person at
// `spyscan iocs check`: it tries every reading that fits the value's shape
// (URL, domain, IP, email, hash, path, process, app id, profile, property)
// and returns each matching indicator once.
func (ix *Index) Any(v string) []model.Match {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var out []model.Match
	add := func(ms []model.Match) {
		for _, m := range ms {
			dup := false
			for _, o := range out {
				if o.Type == m.Type && o.Indicator == m.Indicator {
					dup = true
					break
				}
			}
			if !dup {
				out = append(out, m)
			}
		}
	}
	isURL := strings.Contains(v, "://")
	switch {
	case isURL:
		add(ix.URL(v))
	case strings.HasPrefix(v, "/"):
		add(ix.Path(v))
		add(ix.Process(v))
	case strings.Contains(v, "@") && !strings.ContainsAny(v, "/ "):
		add(ix.Email(v))
	default:
		if _, ok := parseIP(v); ok {
			add(ix.IP(v))
		}
		if isHexString(v) {
			add(ix.FileHash(v))
			add(ix.AppCert(v))
			add(ix.TLSCert(v))
			add(ix.JA3(v))
		}
		if strings.Contains(v, ".") && !strings.ContainsAny(v, " ") {
			add(ix.URL(v)) // a host, or host/path
		}
		add(ix.Process(v))
		add(ix.Path(v))
		add(ix.AppID(v))
		add(ix.Profile(v))
		add(ix.AndroidProperty(v))
		add(ix.JA4(v))
	}
	return out
}

func isHexString(s string) bool {
	s = strings.ReplaceAll(s, ":", "")
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}
