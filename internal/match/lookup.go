package match

import (
	"net/netip"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
)

// Domain matches a host name: equal to an indicator domain or a subdomain of
// it on a label boundary ("a.evil.com" matches "evil.com", "notevil.com" does
// not). An IP literal is matched against IP indicators. A "www." indicator
// also matches its bare domain exactly.
func (ix *Index) Domain(host string) []model.Match {
	return ix.domainNormalized(NormalizeHost(host), host)
}

// domainNormalized looks up h, already normalised; observed is reported.
func (ix *Index) domainNormalized(h, host string) []model.Match {
	if h == "" {
		return nil
	}
	if a, ok := parseIP(h); ok {
		if e := ix.ip(a); e != nil {
			return []model.Match{e.match(host, "exact")}
		}
		return nil
	}
	var out []model.Match
	for s := h; ; {
		i := strings.IndexByte(s, '.')
		if i < 0 && !ix.singleLabel && len(s) != len(h) {
			break // a bare TLD is never an indicator unless one was listed
		}
		if e := ix.domain(s); e != nil {
			how := "exact"
			if len(s) != len(h) {
				how = "subdomain"
			}
			out = append(out, e.match(host, how))
		}
		if i < 0 {
			break
		}
		s = s[i+1:]
	}
	if len(ix.wwwBare) == 0 && !ix.st.has(tabWWWBare) {
		return out
	}
	if e := ix.get(ix.wwwBare, tabWWWBare, h); e != nil {
		out = append(out, e.match(host, "www-bare"))
	}
	return out
}

// domain is the domain entry of key s: the maps' (behind their filter),
// else the stored index's.
func (ix *Index) domain(s string) *entry {
	if len(ix.domains) > 0 && ix.domFilter.mayContain(s) {
		if e := ix.domains[s]; e != nil {
			return e
		}
	}
	return ix.st.domain(s)
}

// get is the entry of key in m, else in stored table tab.
func (ix *Index) get(m map[string]*entry, tab int, key string) *entry {
	if e := m[key]; e != nil {
		return e
	}
	return ix.st.lookup(tab, key)
}

// ip is the entry of address a.
func (ix *Index) ip(a netip.Addr) *entry {
	if e := ix.ips[a]; e != nil {
		return e
	}
	return ix.st.ip(a)
}

// URL matches a URL (with or without scheme): its host as Domain does, "host/path"
// indicators on a path prefix, and url indicators on the normalised URL.
func (ix *Index) URL(raw string) []model.Match {
	_, host, _, rest := splitURL(raw)
	if host == "" {
		return nil
	}
	out := ix.domainNormalized(host, host)
	if len(ix.domainPaths) > 0 || ix.st.has(tabDomainPaths) {
		if path := trimQuery(rest); path != "" {
			out = append(out, ix.hostPaths(raw, host, path)...)
		}
	}
	if len(ix.urls) > 0 || ix.st.has(tabURLs) {
		if e := ix.get(ix.urls, tabURLs, NormalizeURL(raw)); e != nil {
			out = append(out, e.match(raw, "exact"))
		}
	}
	return out
}

func (ix *Index) hostPaths(raw, host, path string) []model.Match {
	var out []model.Match
	for s := host; ; {
		pps, ok := ix.domainPaths[s]
		if !ok {
			pps = ix.st.hostPaths(s)
		}
		for _, pp := range pps {
			if pathHasPrefix(path, pp.prefix) {
				out = append(out, pp.e.match(raw, "host-path-prefix"))
			}
		}
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return out
		}
		s = s[i+1:]
	}
}

// pathHasPrefix reports whether p starts with prefix on a path boundary, or
// prefix ends with "/".
func pathHasPrefix(p, prefix string) bool {
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	return len(p) == len(prefix) || prefix[len(prefix)-1] == '/' || strings.IndexByte("/?#", p[len(prefix)]) >= 0
}

// IP matches an IPv4 or IPv6 address (brackets and v4-mapped forms accepted).
func (ix *Index) IP(s string) []model.Match {
	a, ok := parseIP(strings.TrimSpace(s))
	if !ok {
		return nil
	}
	if e := ix.ip(a); e != nil {
		return []model.Match{e.match(s, "exact")}
	}
	return nil
}

// Email matches an email address case-insensitively ("mailto:" accepted).
func (ix *Index) Email(s string) []model.Match {
	if e := ix.get(ix.emails, tabEmails, normEmail(s)); e != nil {
		return []model.Match{e.match(s, "exact")}
	}
	return nil
}

// Process matches a process name by basename equality, and by prefix when
// the observed name is 15 or 16 characters long (kernels and some iOS logs
// truncate process names to that length).
func (ix *Index) Process(name string) []model.Match {
	n := strings.TrimSpace(name)
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	if n == "" {
		return nil
	}
	if e := ix.get(ix.procs, tabProcs, n); e != nil {
		return []model.Match{e.match(name, "exact")}
	}
	var out []model.Match
	if len(n) == 15 || len(n) == 16 {
		list, ok := ix.procTrunc[len(n)-15][n]
		if !ok {
			list = ix.st.truncated(len(n)-15, n)
		}
		for _, e := range list {
			out = append(out, e.match(name, "truncated-name"))
		}
	}
	return out
}

// Path matches a file path: a file:path indicator that is the path or one of
// its parent folders (component boundaries), and a file:name indicator equal
// to its basename.
func (ix *Index) Path(p string) []model.Match {
	p = strings.TrimSpace(p)
	if p == "" {
		return nil
	}
	var out []model.Match
	if len(ix.filePaths) > 0 || ix.st.has(tabFilePaths) {
		t := strings.TrimRight(p, "/")
		if e := ix.filePath(t); e != nil {
			out = append(out, e.match(p, "exact"))
		}
		for i := len(t) - 1; i > 0; i-- {
			if t[i] == '/' {
				if e := ix.filePath(t[:i]); e != nil {
					out = append(out, e.match(p, "path-prefix"))
				}
			}
		}
	}
	base := p
	if i := strings.LastIndexByte(strings.TrimRight(p, "/"), '/'); i >= 0 {
		base = strings.TrimRight(p[i+1:], "/")
	}
	if e := ix.get(ix.fileNames, tabFileNames, base); e != nil {
		out = append(out, e.match(p, "file-name"))
	}
	return out
}

// filePath is the file:path indicator equal to p, or nil; p is looked up
// only when some indicator is as long.
func (ix *Index) filePath(p string) *entry {
	if ix.pathLens.has(len(p)) {
		if e := ix.filePaths[p]; e != nil {
			return e
		}
	}
	return ix.st.filePath(p)
}

// FileHash matches a file hash; the algorithm is chosen by length (MD5,
// SHA-1, SHA-256), case-insensitively.
func (ix *Index) FileHash(h string) []model.Match {
	return ix.hash(h, FileMD5, FileSHA1, FileSHA256)
}

// AppCert matches an APK signing-certificate fingerprint (MD5, SHA-1 or SHA-256).
func (ix *Index) AppCert(h string) []model.Match {
	return ix.hash(h, AppCertMD5, AppCertSHA1, AppCertSHA256)
}

// TLSCert matches a TLS/X.509 certificate fingerprint (SHA-1 or SHA-256).
func (ix *Index) TLSCert(h string) []model.Match {
	return ix.hash(h, "", TLSCertSHA1, TLSCertSHA256)
}

func (ix *Index) hash(h string, md5, sha1, sha256 Type) []model.Match {
	v := strings.TrimSpace(h)
	if strings.IndexByte(v, ':') >= 0 {
		v = strings.ReplaceAll(v, ":", "") // "AA:BB:..." fingerprints
	}
	var t Type
	switch len(v) {
	case 32:
		t = md5
	case 40:
		t = sha1
	case 64:
		t = sha256
	}
	if t == "" {
		return nil
	}
	return ix.exactLookup(t, v, h)
}

func (ix *Index) exactLookup(t Type, v, observed string) []model.Match {
	k := lowerASCII(v)
	e := ix.exact[t][k]
	if e == nil && ix.st != nil {
		e = ix.st.lookup(exactTab(t), k)
	}
	if e != nil {
		return []model.Match{e.match(observed, "exact")}
	}
	return nil
}

// AppID matches an application identifier (Android package, iOS bundle id).
func (ix *Index) AppID(id string) []model.Match {
	return ix.exactLookup(AppID, strings.TrimSpace(id), id)
}

// Profile matches a configuration-profile identifier or UUID.
func (ix *Index) Profile(id string) []model.Match {
	return ix.exactLookup(Profile, strings.TrimSpace(id), id)
}

// AndroidProperty matches an Android system property name.
func (ix *Index) AndroidProperty(name string) []model.Match {
	return ix.exactLookup(AndroidProperty, strings.TrimSpace(name), name)
}

// JA3 matches a JA3 TLS client fingerprint (MD5 hex).
func (ix *Index) JA3(fp string) []model.Match { return ix.exactLookup(JA3, strings.TrimSpace(fp), fp) }

// JA4 matches a JA4 TLS client fingerprint.
func (ix *Index) JA4(fp string) []model.Match { return ix.exactLookup(JA4, strings.TrimSpace(fp), fp) }
