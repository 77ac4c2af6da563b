// Package match owns indicator matching: the in-memory index of indicator
// values and the normalisation rules that decide whether an observed value
// (a host, URL, IP, process name, path, hash, app id...) matches one.
// Look-ups are map probes, never scans over all indicators, and the common
// no-hit path does not allocate.
package match

import "github.com/spyscan/spyscan/internal/model"

// Type is the kind of value an indicator holds.
type Type string

// Indicator types. File hashes, APK signing-certificate hashes and TLS
// certificate hashes are distinct namespaces and never match each other.
const (
	Domain          Type = "domain"
	IP              Type = "ip"
	URL             Type = "url"
	Email           Type = "email"
	Process         Type = "process"
	FileName        Type = "file-name"
	FilePath        Type = "file-path"
	FileSHA256      Type = "sha256"
	FileSHA1        Type = "sha1"
	FileMD5         Type = "md5"
	AppID           Type = "app-id"
	AppCertSHA256   Type = "app-cert-sha256"
	AppCertSHA1     Type = "app-cert-sha1"
	AppCertMD5      Type = "app-cert-md5"
	TLSCertSHA256   Type = "tls-cert-sha256"
	TLSCertSHA1     Type = "tls-cert-sha1"
	Profile         Type = "configuration-profile"
	AndroidProperty Type = "android-property"
	JA3             Type = "ja3"
	JA4             Type = "ja4"
)

// types is the one table of indicator types, in display order: adding a
// type is a constant above and a row here (plus its lookup rule when
// observed values of that type are checked). Lookup is how an observed
// value of the type is matched (module.Recorder.Check and recheck use it);
// it is nil for types only reached through another type's lookup: file
// names through paths, MD5/SHA-1 through the file-hash lookup of an
// observed hash (stored as sha256), and so on.
var types = []struct {
	Type   Type
	Lookup func(*Index, string) []model.Match
}{
	{Domain, (*Index).Domain},
	{IP, (*Index).IP},
	{URL, (*Index).URL},
	{Email, (*Index).Email},
	{Process, (*Index).Process},
	{FileName, nil},
	{FilePath, (*Index).Path},
	{FileSHA256, (*Index).FileHash},
	{FileSHA1, nil},
	{FileMD5, nil},
	{AppID, (*Index).AppID},
	{AppCertSHA256, (*Index).AppCert},
	{AppCertSHA1, nil},
	{AppCertMD5, nil},
	{TLSCertSHA256, (*Index).TLSCert},
	{TLSCertSHA1, nil},
	{Profile, (*Index).Profile},
	{AndroidProperty, (*Index).AndroidProperty},
	{JA3, (*Index).JA3},
	{JA4, (*Index).JA4},
}

// AllTypes lists every indicator type, in display order.
var AllTypes = func() []Type {
	out := make([]Type, len(types))
	for i, t := range types {
		out[i] = t.Type
	}
	return out
}()

var lookups = func() map[Type]func(*Index, string) []model.Match {
	m := map[Type]func(*Index, string) []model.Match{}
	for _, t := range types {
		if t.Lookup != nil {
			m[t.Type] = t.Lookup
		}
	}
	return m
}()

// Lookup returns how an observed value of type t is matched against an
// index, or nil when values are never observed as t.
func Lookup(t Type) func(ix *Index, v string) []model.Match { return lookups[t] }

// ObservedTypes lists the types an observed value is checked and stored
// as (those with a Lookup), in display order.
func ObservedTypes() []Type {
	var out []Type
	for _, t := range types {
		if t.Lookup != nil {
			out = append(out, t.Type)
		}
	}
	return out
}

// Indicator is one value to look for, with every source that lists it.
type Indicator struct {
	Type    Type
	Value   string // as given by the source; normalised when indexed
	Partial bool   // one term of an AND pattern
	Sources []model.Provenance
}
