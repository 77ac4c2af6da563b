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

// AllTypes lists every indicator type, in display order.
var AllTypes = []Type{Domain, IP, URL, Email, Process, FileName, FilePath,
	FileSHA256, FileSHA1, FileMD5, AppID, AppCertSHA256, AppCertSHA1, AppCertMD5,
	TLSCertSHA256, TLSCertSHA1, Profile, AndroidProperty, JA3, JA4}

// Indicator is one value to look for, with every source that lists it.
type Indicator struct {
	Type    Type
	Value   string // as given by the source; normalised when indexed
	Partial bool   // one term of an AND pattern
	Sources []model.Provenance
}
