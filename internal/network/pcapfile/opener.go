package pcapfile

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// Opener recognises pcap and pcapng files (optionally gzip-compressed) by
// their magic number.
type Opener struct{}

// Name implements acquisition.Opener.
func (Opener) Name() string { return "pcap" }

// Detect implements acquisition.Opener: it reads the first bytes only.
func (Opener) Detect(ctx context.Context, path string) (acquisition.Kind, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if n >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", false
		}
		gz, err := gzip.NewReader(f)
		if err != nil {
			return "", false
		}
		defer gz.Close()
		head = head[:cap(head)]
		n, _ = io.ReadFull(gz, head)
		head = head[:n]
	}
	if IsCapture(head) {
		return acquisition.PCAP, true
	}
	return "", false
}

// Open implements acquisition.Opener. The acquisition's FS holds the capture
// under its base name and nothing else.
func (Opener) Open(ctx context.Context, path string, kind acquisition.Kind, opts acquisition.Options) (*acquisition.Acquisition, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, acquisition.ErrUnrecognised)
	}
	return &acquisition.Acquisition{Path: path, Kind: acquisition.PCAP,
		FS: acquisition.StreamFS{FileFS: acquisition.FileFS{Name: filepath.Base(path), Path: path}}, Meta: map[string]string{"file": filepath.Base(path)}}, nil
}
