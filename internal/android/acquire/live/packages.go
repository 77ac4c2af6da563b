package live

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/android/apkcert"
)

// PackageFile is one APK of a package, as in androidqf's packages.json.
type PackageFile struct {
	Path                string `json:"path"`
	LocalName           string `json:"local_name"`
	MD5                 string `json:"md5"`
	SHA1                string `json:"sha1"`
	SHA256              string `json:"sha256"`
	SHA512              string `json:"sha512"`
	Error               string `json:"error"`
	VerifiedCertificate bool   `json:"verified_certificate"`
	Certificate         any    `json:"certificate"`
	CertificateError    string `json:"certificate_error"`
	TrustedCertificate  bool   `json:"trusted_certificate"`
}

// Package is one entry of packages.json.
type Package struct {
	Name       string        `json:"name"`
	Files      []PackageFile `json:"files"`
	Installer  string        `json:"installer"`
	UID        int           `json:"uid"`
	Disabled   bool          `json:"disabled"`
	System     bool          `json:"system"`
	ThirdParty bool          `json:"third_party"`
}

// hashBatch is how many APK paths one hashing command takes.
const hashBatch = 64

func (r *run) packages() error {
	out, err := r.shell("pm list packages -U -u -i")
	if err != nil || !strings.Contains(out, "package:") {
		if out, err = r.shell("pm list packages -U -u"); err != nil {
			return err
		}
	}
	pkgs := ParsePackageList(out)
	if len(pkgs) == 0 {
		return fmt.Errorf("pm list packages: no package in %q", clip(out))
	}
	byName := map[string]*Package{}
	for i := range pkgs {
		byName[pkgs[i].Name] = &pkgs[i]
	}
	for _, f := range []struct {
		arg string
		set func(*Package)
	}{
		{"-d", func(p *Package) { p.Disabled = true }},
		{"-s", func(p *Package) { p.System = true }},
		{"-3", func(p *Package) { p.ThirdParty = true }},
	} {
		out, err := r.shell("pm list packages " + f.arg)
		if err != nil {
			r.fail("pm list packages "+f.arg, err)
			continue
		}
		for _, p := range ParsePackageList(out) {
			if q := byName[p.Name]; q != nil {
				f.set(q)
			}
		}
	}
	if err := r.packagePaths(pkgs); err != nil {
		r.fail("pm path", err)
	}
	if err := r.hashAPKs(pkgs); err != nil {
		r.fail("APK hashes", err)
	}
	r.pullAPKs(pkgs)
	return r.writeJSON("packages.json", pkgs)
}

// APK copy choices.
const (
	APKsThirdParty = "third-party"
	APKsAll        = "all"
	APKsNone       = "none"
)

// pullAPKs copies the selected APKs into apks/ and reads their signing
// certificates.
func (r *run) pullAPKs(pkgs []Package) {
	if r.o.APKs == APKsNone {
		return
	}
	for i := range pkgs {
		p := &pkgs[i]
		if r.o.APKs != APKsAll && (p.System || !p.ThirdParty) || !safePackageName(p.Name) {
			continue
		}
		for j := range p.Files {
			f := &p.Files[j]
			local := fmt.Sprintf("apks/%s_%s", p.Name, path.Base(f.Path))
			if j > 0 && path.Base(f.Path) == path.Base(p.Files[0].Path) {
				local = fmt.Sprintf("apks/%s_%d_%s", p.Name, j, path.Base(f.Path))
			}
			if !fs.ValidPath(local) {
				continue
			}
			if err := r.pull(f.Path, local); err != nil {
				f.Error = err.Error()
				r.logf("APK %s not pulled: %v", f.Path, err)
				continue
			}
			f.LocalName = local
			c, err := r.apkCert(local)
			if err != nil {
				f.CertificateError = err.Error()
				continue
			}
			f.Certificate = c
		}
	}
}

func (r *run) apkCert(local string) (*apkcert.Certificate, error) {
	fh, err := os.Open(filepath.Join(r.dir, filepath.FromSlash(local)))
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	return apkcert.Read(fh, st.Size())
}

// ParsePackageList parses `pm list packages [-U] [-u] [-i]` lines:
// "package:<name> [uid:<uid>] [installer=<installer>]" in any order.
func ParsePackageList(out string) []Package {
	var pkgs []Package
	seen := map[string]bool{}
	for _, l := range lines(out) {
		f := strings.Fields(l)
		if len(f) == 0 || !strings.HasPrefix(f[0], "package:") {
			continue
		}
		p := Package{Name: strings.TrimPrefix(f[0], "package:"), Files: []PackageFile{}}
		for _, kv := range f[1:] {
			switch {
			case strings.HasPrefix(kv, "uid:"):
				p.UID, _ = strconv.Atoi(strings.SplitN(strings.TrimPrefix(kv, "uid:"), ",", 2)[0])
			case strings.HasPrefix(kv, "installer="):
				p.Installer = strings.TrimPrefix(kv, "installer=")
			}
		}
		if p.Name != "" && !seen[p.Name] {
			seen[p.Name] = true
			pkgs = append(pkgs, p)
		}
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	return pkgs
}

// packagePaths runs `pm path` for every package in one shell session.
func (r *run) packagePaths(pkgs []Package) error {
	var b strings.Builder
	for _, p := range pkgs {
		if !safePackageName(p.Name) {
			continue
		}
		fmt.Fprintf(&b, "echo '== %s'; pm path %s 2>/dev/null; ", p.Name, p.Name)
	}
	if b.Len() == 0 {
		return nil
	}
	out, err := r.shell(b.String())
	if err != nil {
		return err
	}
	idx := map[string]*Package{}
	for i := range pkgs {
		idx[pkgs[i].Name] = &pkgs[i]
	}
	var cur *Package
	for _, l := range lines(out) {
		if name, ok := strings.CutPrefix(l, "== "); ok {
			cur = idx[name]
			continue
		}
		if p, ok := strings.CutPrefix(l, "package:"); ok && cur != nil {
			cur.Files = append(cur.Files, PackageFile{Path: p})
		}
	}
	return nil
}

func safePackageName(n string) bool {
	if n == "" || len(n) > 255 {
		return false
	}
	for _, c := range n {
		if !(c == '.' || c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// hashAPKs fills md5, sha1 and sha256 of every APK with the phone's own
// *sum tools, in batches.
func (r *run) hashAPKs(pkgs []Package) error {
	type ref struct{ p, f int }
	at := map[string][]ref{}
	var paths []string
	for i := range pkgs {
		for j, f := range pkgs[i].Files {
			if _, ok := at[f.Path]; !ok {
				paths = append(paths, f.Path)
			}
			at[f.Path] = append(at[f.Path], ref{i, j})
		}
	}
	for _, tool := range []string{"md5sum", "sha1sum", "sha256sum"} {
		for start := 0; start < len(paths); start += hashBatch {
			batch := paths[start:min(start+hashBatch, len(paths))]
			q := make([]string, len(batch))
			for i, p := range batch {
				q[i] = shq(p)
			}
			out, err := r.shell(tool + " " + strings.Join(q, " ") + " 2>/dev/null")
			if err != nil {
				return err
			}
			for _, l := range lines(out) {
				sum, p, ok := strings.Cut(l, " ")
				p = strings.TrimLeft(p, " *")
				if !ok || !isHex(sum) {
					continue
				}
				for _, rf := range at[p] {
					f := &pkgs[rf.p].Files[rf.f]
					switch tool {
					case "md5sum":
						f.MD5 = sum
					case "sha1sum":
						f.SHA1 = sum
					case "sha256sum":
						f.SHA256 = sum
					}
				}
			}
		}
	}
	return nil
}

func isHex(s string) bool {
	if len(s) < 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
