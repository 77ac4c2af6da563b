// Package safearchive owns reading archives from evidence safely; every
// opener uses it. It decides which entry names stay inside the root
// (SafeName: no absolute path, drive letter, ".." or NUL) and which links
// do (LinkInside); bounds what an archive may expand into (Limits: entries,
// inflated bytes per entry and in total, and the inflation ratio); meters
// decompressed streams against those limits and the context (Meter);
// inflates to the scan's private temp folder only when the disk has room
// for it (InflateTo); and lists special entries (devices, FIFOs) without
// ever reading them (acquisition.ErrSpecialFile). Zip archives are read in
// place as a read-only fs.FS (Open, New); the tar readers of iOS dumps
// (fsdump) and Android backups (backupab) build on the checks here.
// Refusals wrap acquisition.ErrUnsafeArchive and name the archive.
package safearchive

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// Limits bounds what an archive may expand into.
type Limits struct {
	MaxEntry   uint64 // inflated size of one entry
	MaxTotal   uint64 // inflated size of all entries
	MaxEntries int    // number of entries
	// MaxRatio bounds inflated bytes per compressed byte over the whole
	// archive, once more than RatioFloor bytes are inflated (0: no bound).
	MaxRatio uint64
}

// RatioFloor is the inflated size below which the ratio is not checked:
// small archives of repetitive text legitimately compress very well.
const RatioFloor = 256 << 20

// DefaultLimits fits real acquisitions (bugreports, androidqf, iOS dumps of
// tens of GB) while refusing decompression bombs: real evidence compresses
// between 2 and 20 times over a whole archive, a bomb a thousand times.
var DefaultLimits = Limits{MaxEntry: 16 << 30, MaxTotal: 64 << 30, MaxEntries: 5_000_000, MaxRatio: 100}

// SafeName reports whether an archive entry name stays inside the root: not
// absolute, no drive letter, no ".." element, no NUL (backslashes count as
// separators).
func SafeName(n string) bool {
	n = strings.ReplaceAll(n, `\`, "/")
	if n == "" || strings.HasPrefix(n, "/") || hasDrive(n) || strings.ContainsRune(n, 0) {
		return false
	}
	for _, el := range strings.Split(n, "/") {
		if el == ".." {
			return false
		}
	}
	return true
}

// LinkInside reports whether a symbolic link named name with target stays
// inside the archive (relative targets only).
func LinkInside(name, target string) bool {
	target = strings.ReplaceAll(target, `\`, "/")
	if path.IsAbs(target) || hasDrive(target) || strings.ContainsRune(target, 0) {
		return false
	}
	return SafeName(path.Join(path.Dir(strings.ReplaceAll(name, `\`, "/")), target))
}

func hasDrive(n string) bool {
	return len(n) >= 2 && n[1] == ':' && (n[0]|0x20 >= 'a' && n[0]|0x20 <= 'z')
}

// checkRatio refuses an inflated total that is more than MaxRatio times
// the compressed size (past RatioFloor).
func (l Limits) checkRatio(name string, inflated, compressed uint64) error {
	if l.MaxRatio == 0 || inflated <= RatioFloor {
		return nil
	}
	if compressed == 0 || inflated/l.MaxRatio > compressed {
		return fmt.Errorf("%s%w: inflates to more than %d bytes from %d compressed bytes (more than %d times: a decompression bomb)",
			prefix(name), acquisition.ErrUnsafeArchive, inflated, compressed, l.MaxRatio)
	}
	return nil
}

// prefix is "name: ", or nothing when the caller names the archive itself.
func prefix(name string) string {
	if name == "" {
		return ""
	}
	return name + ": "
}

// Meter bounds one decompressed stream of an archive: Source counts the
// compressed bytes read, Reader the inflated bytes produced, and Reader
// fails (wrapping acquisition.ErrUnsafeArchive, naming the archive) once
// they pass MaxTotal or MaxRatio, or with the context's error once it is
// done.
type Meter struct {
	name    string
	lim     Limits
	in, out uint64
	ctx     context.Context
	metered bool
}

// NewMeter meters the archive called name (for messages; "" when the
// caller's own error names it).
func NewMeter(ctx context.Context, name string, lim Limits) *Meter {
	return &Meter{name: name, lim: lim, ctx: ctx}
}

// Source wraps the compressed input.
func (m *Meter) Source(r io.Reader) io.Reader {
	m.metered = true
	return &countReader{r: r, n: &m.in}
}

// Reader wraps the decompressed stream.
func (m *Meter) Reader(r io.Reader) io.Reader { return &meterReader{m: m, r: r} }

// Inflated is the number of bytes read from Reader so far.
func (m *Meter) Inflated() uint64 { return m.out }

type countReader struct {
	r io.Reader
	n *uint64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += uint64(n)
	return n, err
}

type meterReader struct {
	m *Meter
	r io.Reader
}

func (mr *meterReader) Read(p []byte) (int, error) {
	m := mr.m
	if err := m.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := mr.r.Read(p)
	m.out += uint64(n)
	if m.lim.MaxTotal > 0 && m.out > m.lim.MaxTotal {
		return n, fmt.Errorf("%s%w: inflates to more than %d bytes", prefix(m.name), acquisition.ErrUnsafeArchive, m.lim.MaxTotal)
	}
	if m.metered {
		if rerr := m.lim.checkRatio(m.name, m.out, m.in); rerr != nil {
			return n, rerr
		}
	}
	return n, err
}

// Reader returns r reading only while ctx is not done.
func Reader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Gunzip returns the decompressed stream of the gzip data read from r,
// metered against DefaultLimits (total and ratio): the one way compressed
// logs and captures are inflated while streaming. name is used in errors
// ("" when the caller's own error names the file).
func Gunzip(r io.Reader, name string) (io.ReadCloser, error) {
	m := NewMeter(context.Background(), name, DefaultLimits)
	zr, err := gzip.NewReader(m.Source(r))
	if err != nil {
		return nil, err
	}
	return gunzipped{Reader: m.Reader(zr), zr: zr}, nil
}

type gunzipped struct {
	io.Reader
	zr *gzip.Reader
}

func (g gunzipped) Close() error { return g.zr.Close() }
