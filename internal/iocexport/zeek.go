package iocexport

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
)

// Zeek Intel types (base/frameworks/intel/main.zeek and files.zeek).
const (
	ZeekAddr     = "Intel::ADDR"
	ZeekURL      = "Intel::URL"
	ZeekEmail    = "Intel::EMAIL"
	ZeekDomain   = "Intel::DOMAIN"
	ZeekCertHash = "Intel::CERT_HASH"
	ZeekFileHash = "Intel::FILE_HASH"
	ZeekFileName = "Intel::FILE_NAME"
)

// ZeekFields are the columns of the Intel file: Intel::Item's indicator,
// indicator_type and the base MetaData fields.
var ZeekFields = []string{"indicator", "indicator_type", "meta.source", "meta.desc", "meta.url"}

// zeekSourcePrefix starts every meta.source, so spyscan's items can be told
// from others loaded into the same Zeek.
const zeekSourcePrefix = "spyscan:"

// WriteZeekIntel writes the collection as a Zeek Intel framework file, to be
// listed in Intel::read_files. One line per value and source (Zeek keeps one
// MetaData per source of an item). The header is a Zeek log header: Zeek's
// input reader reads the #fields line and skips the other '#' lines.
//
// Mapping: domains to Intel::DOMAIN, with their www. form (or, for a www.
// name, the bare form): Zeek matches domains exactly, not their
// subdomains, while spyscan matches both forms; IP addresses to Intel::ADDR, URLs
// to Intel::URL without the scheme (Zeek's HTTP::build_url form), e-mail
// addresses, file hashes (MD5, SHA-1, SHA-256) and file names to their
// types, TLS certificate SHA-1 to Intel::CERT_HASH. Certificate SHA-256,
// JA3 and JA4 have no Intel type and are counted as skipped.
func WriteZeekIntel(w io.Writer, c *Collection) (Summary, error) {
	sum := newSummary(c)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tintel\n")
	fmt.Fprintf(bw, "#spyscan\tindicators exported by spyscan iocs export --format zeek-intel; load with: redef Intel::read_files += { \"<this file>\" };\n")
	fmt.Fprintf(bw, "#spyscan\tdomains match exactly in Zeek (not their subdomains); spyscan also matches subdomains\n")
	for _, h := range c.Header {
		fmt.Fprintf(bw, "#spyscan\tsource %s\n", zeekEscape(h))
	}
	fmt.Fprintf(bw, "#fields\t%s\n#types\tstring\tenum\tstring\tstring\tstring\n", strings.Join(ZeekFields, "\t"))
	for _, e := range c.Entries {
		typ, values := zeekItem(e)
		if typ == "" {
			sum.Skipped[e.Kind]++
			continue
		}
		for _, group := range bySource(e.Sources) {
			desc, url := c.zeekMeta(e, group)
			for i, v := range values {
				d := desc
				if i > 0 {
					d += " (also matched as " + v + " by spyscan)"
				}
				fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%s\n", zeekEscape(v), typ, zeekEscape(zeekSourcePrefix+group[0].Source),
					zeekEscape(d), zeekOptional(url))
				sum.Written[typ]++
			}
		}
	}
	return sum, bw.Flush()
}

// zeekItem maps an entry to its Intel type and indicator strings.
func zeekItem(e Entry) (string, []string) {
	switch e.Kind {
	case KindDomain:
		vs := []string{e.Value}
		if bare, ok := strings.CutPrefix(e.Value, "www."); !ok {
			vs = append(vs, "www."+e.Value)
		} else if strings.Contains(bare, ".") {
			vs = append(vs, bare)
		}
		return ZeekDomain, vs
	case KindIP:
		return ZeekAddr, []string{e.Value}
	case KindURL:
		return ZeekURL, []string{e.Host + e.Path}
	case KindHostPath:
		return ZeekURL, []string{e.Host + e.Path}
	case KindEmail:
		return ZeekEmail, []string{e.Value}
	case KindFileHash:
		return ZeekFileHash, []string{e.Value}
	case KindFileName:
		return ZeekFileName, []string{e.Value}
	case KindCertSHA1:
		return ZeekCertHash, []string{e.Value}
	}
	return "", nil
}

// zeekMeta builds meta.desc and meta.url for one source of an entry.
func (c *Collection) zeekMeta(e Entry, ps []model.Provenance) (desc, url string) {
	var wheres []string
	for _, p := range ps {
		wheres = append(wheres, where(p))
	}
	sort.Strings(wheres)
	desc = fmt.Sprintf("%s %s indicator; %s", families(ps), e.Type, strings.Join(wheres, "; "))
	if e.Partial {
		desc += "; one term of a STIX AND pattern (weaker alone)"
	}
	if e.Kind == KindURL && e.Scheme != "http" {
		desc += "; " + e.Scheme + " URL: seen only if sent in clear"
	}
	if e.Kind == KindHostPath {
		desc += "; spyscan matches this path as a prefix, Zeek exactly"
	}
	return desc, c.referenceURL(ps)
}

// zeekEscape writes a string field as Zeek's ASCII input reader unescapes
// it (\xNN): separators, control bytes and backslashes are escaped, and a
// value that reads as the unset or empty marker is escaped too.
func zeekEscape(s string) string {
	if s == "-" || s == "(empty)" {
		return fmt.Sprintf("\\x%02x", s[0]) + s[1:]
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '\\' {
			fmt.Fprintf(&b, "\\x%02x", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// zeekOptional writes an optional field, "-" (unset) when empty.
func zeekOptional(s string) string {
	if s == "" {
		return "-"
	}
	return zeekEscape(s)
}
