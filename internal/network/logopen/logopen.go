// Package logopen owns the opener of network logs for retro-hunting: a
// Zeek log (TSV or JSON, gzip or not), a Suricata EVE log (eve.json), a
// folder of such logs, or a resolver log (plain list, dnsmasq/Pi-hole,
// unbound, BIND). It recognises them by name and content and exposes them,
// read-only, as an fs.FS.
package logopen

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/network/eve"
	"github.com/spyscan/spyscan/internal/network/netsum"
	"github.com/spyscan/spyscan/internal/network/resolverlog"
	"github.com/spyscan/spyscan/internal/network/zeeklog"
)

// maxDirFiles is how many files of a folder are sniffed when detecting.
const maxDirFiles = 200

// Opener recognises network logs.
type Opener struct{}

// New returns the opener.
func New() Opener { return Opener{} }

// Name implements acquisition.Opener.
func (Opener) Name() string { return "network-log" }

// Detect implements acquisition.Opener.
func (Opener) Detect(ctx context.Context, path string) (acquisition.Kind, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	if st.IsDir() {
		fsys := os.DirFS(path)
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			return "", false
		}
		for i, e := range entries {
			if i >= maxDirFiles || ctx.Err() != nil {
				break
			}
			if !e.Type().IsRegular() || (zeeklog.TypeFromName(e.Name()) == "" && !eveName(e.Name())) {
				continue
			}
			if what, _ := sniff(fsys, e.Name()); what == "zeek" || what == "suricata" {
				return acquisition.NetworkLog, true
			}
		}
		return "", false
	}
	if !st.Mode().IsRegular() {
		return "", false
	}
	dir, base := filepath.Split(path)
	what, format := sniff(os.DirFS(filepath.Clean(dir+".")), base)
	switch what {
	case "zeek", "suricata":
		return acquisition.NetworkLog, true
	case "resolver":
		if format != resolverlog.Plain || plainListName(base) {
			return acquisition.NetworkLog, true
		}
	}
	return "", false
}

// plainListName accepts the names a list of domains is given: a plain list
// is recognised only with a text-like extension, so that other text inputs
// are not taken for one.
func plainListName(base string) bool {
	b := strings.ToLower(strings.TrimSuffix(strings.ToLower(base), ".gz"))
	for _, ext := range []string{".txt", ".list", ".log", ".lst"} {
		if strings.HasSuffix(b, ext) {
			return true
		}
	}
	return false
}

// eveName accepts the names an EVE log is given in a folder of logs:
// eve.json (rotated eve.json.1, eve-2026-11-20.json...), any *.json, gzip
// or not.
func eveName(base string) bool {
	b := strings.TrimSuffix(strings.ToLower(base), ".gz")
	return strings.HasPrefix(b, "eve") || strings.HasSuffix(b, ".json")
}

// sniff reports "zeek", "suricata", "resolver" or "" for one file.
func sniff(fsys fs.FS, name string) (string, resolverlog.Format) {
	lf, err := netsum.OpenLog(fsys, name)
	if err != nil {
		return "", resolverlog.Unknown
	}
	defer lf.Close()
	head := lf.Head()
	if _, _, ok := zeeklog.Sniff(head); ok {
		return "zeek", resolverlog.Unknown
	}
	if eve.Sniff(head) {
		return "suricata", resolverlog.Unknown
	}
	if f := resolverlog.Detect(head); f != resolverlog.Unknown {
		return "resolver", f
	}
	return "", resolverlog.Unknown
}

// Open implements acquisition.Opener.
func (Opener) Open(ctx context.Context, path string, kind acquisition.Kind, opts acquisition.Options) (*acquisition.Acquisition, error) {
	if kind != acquisition.NetworkLog {
		return nil, fmt.Errorf("%s: %w", path, acquisition.ErrUnrecognised)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	acq := &acquisition.Acquisition{Path: path, Kind: kind, Meta: map[string]string{}}
	if st.IsDir() {
		d, err := acquisition.OpenDir(path) // links cannot lead outside the input
		if err != nil {
			return nil, err
		}
		acq.FS, acq.Close = d, d.Close
		acq.Meta["layout"] = "folder of logs"
		return acq, nil
	}
	dir, base := filepath.Split(path)
	what, f := sniff(os.DirFS(filepath.Clean(dir+".")), base)
	acq.FS = acquisition.FileFS{Name: base, Path: path}
	acq.Meta["layout"] = "single log file"
	switch what {
	case "zeek":
		acq.Meta["log_format"] = "zeek"
	case "suricata":
		acq.Meta["log_format"] = "suricata-eve"
	case "resolver":
		acq.Meta["log_format"] = f.String()
	}
	return acq, nil
}
