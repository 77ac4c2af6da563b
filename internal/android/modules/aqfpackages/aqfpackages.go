// Package aqfpackages owns the androidqf packages module: packages.json,
// the installed packages with their APK files' hashes and signing
// certificates. App ids, APK hashes (SHA-256, SHA-1, MD5) and certificate
// fingerprints (MD5, SHA-1, SHA-256) are checked against indicators, which
// is how stalkerware is found; the installed-package heuristics (root
// tools, installer is a browser, none or a third-party store, disabled
// security or update packages) apply. Entries with missing or mistyped keys
// are read as far as they go (MVT issues #565, #574, #823). The file is
// decoded as a stream, one package at a time.
package aqfpackages

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_packages"

// FileName is the artifact read.
const FileName = "packages.json"

// Certificate is an APK signing certificate.
type Certificate struct {
	MD5       string `json:"md5"`
	SHA1      string `json:"sha1"`
	SHA256    string `json:"sha256"`
	Subject   string `json:"subject,omitempty"`
	Issuer    string `json:"issuer,omitempty"`
	ValidFrom string `json:"valid_from,omitempty"`
	ValidTo   string `json:"valid_to,omitempty"`
}

// APK is one file of a package.
type APK struct {
	Path               string       `json:"path"`
	LocalName          string       `json:"local_name,omitempty"`
	MD5                string       `json:"md5"`
	SHA1               string       `json:"sha1"`
	SHA256             string       `json:"sha256"`
	Certificate        *Certificate `json:"certificate"`
	CertificateError   string       `json:"certificate_error,omitempty"`
	TrustedCertificate bool         `json:"trusted_certificate"`
}

// Package is one packages.json entry.
type Package struct {
	Name       string `json:"name"`
	Installer  string `json:"installer"`
	UID        int64  `json:"uid"`
	Disabled   bool   `json:"disabled"`
	System     bool   `json:"system"`
	ThirdParty bool   `json:"third_party"`
	Files      []APK  `json:"files"`
}

// raw mirrors androidqf's JSON; pointers tell a missing key from a zero.
type raw struct {
	Name       *string `json:"name"`
	Installer  *string `json:"installer"`
	UID        int64   `json:"uid"`
	Disabled   bool    `json:"disabled"`
	System     bool    `json:"system"`
	ThirdParty bool    `json:"third_party"`
	Files      []struct {
		Path               string `json:"path"`
		LocalName          string `json:"local_name"`
		MD5                string `json:"md5"`
		SHA1               string `json:"sha1"`
		SHA256             string `json:"sha256"`
		CertificateError   string `json:"certificate_error"`
		TrustedCertificate bool   `json:"trusted_certificate"`
		Certificate        *struct {
			Md5       string `json:"Md5"`
			Sha1      string `json:"Sha1"`
			Sha256    string `json:"Sha256"`
			Subject   string `json:"Subject"`
			Issuer    string `json:"Issuer"`
			ValidFrom string `json:"ValidFrom"`
			ValidTo   string `json:"ValidTo"`
		} `json:"certificate"`
	} `json:"files"`
}

func (r raw) pkg() Package {
	p := Package{UID: r.UID, Disabled: r.Disabled, System: r.System, ThirdParty: r.ThirdParty, Files: []APK{}}
	if r.Name != nil {
		p.Name = *r.Name
	}
	if r.Installer != nil {
		p.Installer = *r.Installer
	}
	for _, f := range r.Files {
		a := APK{Path: f.Path, LocalName: f.LocalName, MD5: f.MD5, SHA1: f.SHA1, SHA256: f.SHA256,
			CertificateError: f.CertificateError, TrustedCertificate: f.TrustedCertificate}
		if c := f.Certificate; c != nil {
			a.Certificate = &Certificate{MD5: c.Md5, SHA1: c.Sha1, SHA256: c.Sha256, Subject: c.Subject,
				Issuer: c.Issuer, ValidFrom: c.ValidFrom, ValidTo: c.ValidTo}
		}
		p.Files = append(p.Files, a)
	}
	return p
}

// Module is the androidqf packages module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// Decode streams the entries of packages.json to fn. Entries with mistyped
// values are passed on as far as they were read, with a note; a syntax
// error stops the stream and is returned.
func Decode(r io.Reader, fn func(p Package, hasName, hasInstaller bool), note func(string)) error {
	// json.Decoder refills with small reads (about 1.4 KB each on a
	// packages.json): one system call each straight from the file.
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("expected a JSON array of packages, found %v", tok)
	}
	for i := 0; dec.More(); i++ {
		var rp raw
		err := dec.Decode(&rp)
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			note(fmt.Sprintf("entry %d: %v", i, err))
		} else if err != nil {
			return err
		}
		fn(rp.pkg(), rp.Name != nil, rp.Installer != nil)
	}
	_, err = dec.Token()
	return err
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	f, err := in.Acq.FS.Open(FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return module.ErrNotFound
	}
	if err != nil {
		rec.FileError(FileName, fmt.Errorf("%s: %w", FileName, err))
		return nil
	}
	defer f.Close()
	rec.File(FileName)
	n := 0
	err = Decode(f, func(p Package, hasName, hasInst bool) {
		n++
		if !hasName {
			rec.Note(i18n.M("android.note.package_no_name", "file", FileName, "entry", n))
		}
		report(rec, p, hasInst)
	}, func(s string) { rec.Note(i18n.M("android.note.file_said", "file", FileName, "text", s)) })
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rec.FileError(FileName, fmt.Errorf("%s: malformed JSON after %d packages: %w", FileName, n, err))
	}
	return nil
}

func report(rec *module.Recorder, p Package, hasInst bool) {
	rec.Record(p)
	w := module.Where{Artifact: FileName, Label: i18n.M("android.what.installed_package"), Record: p}
	rec.CheckAppID(p.Name, w)
	for _, a := range p.Files {
		w.Label = i18n.M("android.what.apk_hash", "name", p.Name)
		for _, h := range []string{a.SHA256, a.SHA1, a.MD5} {
			if rec.CheckFileHash(h, w) {
				break
			}
		}
		if a.Certificate == nil {
			continue
		}
		w.Label = i18n.M("android.what.apk_cert", "name", p.Name)
		for _, h := range []string{a.Certificate.MD5, a.Certificate.SHA1, a.Certificate.SHA256} {
			if rec.CheckAppCert(h, w) {
				break
			}
		}
	}
	w.Label = i18n.M("android.what.installed_package")
	for _, f := range known.PackageFindings(known.Package{Name: p.Name, Installer: p.Installer, HasInst: hasInst, System: p.System, Disabled: p.Disabled}) {
		rec.Flag(f.Level, w, f.Title, f.Reason, f.Benign)
	}
}
