package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"
	"howett.net/plist"
)

// DecryptStats summarises a DecryptTo run.
type DecryptStats struct {
	Files  int     // files written
	Bytes  int64   // plaintext bytes written
	Failed []error // files that could not be decrypted (each names the file)
}

// DecryptTo writes a plain copy of an encrypted backup into out (which must
// be empty or absent): Manifest.db decrypted, Manifest.plist with
// IsEncrypted false and no ManifestKey, every file decrypted. Files that
// fail are listed in the stats; the rest goes on.
func (b *Backup) DecryptTo(ctx context.Context, out string) (DecryptStats, error) {
	var st DecryptStats
	if !b.Encrypted {
		return st, fmt.Errorf("%s: the backup is not encrypted", b.Dir)
	}
	if ents, err := os.ReadDir(out); err == nil && len(ents) > 0 {
		return st, fmt.Errorf("%s: output folder exists and is not empty", out)
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return st, err
	}
	if err := b.writeRootFiles(out); err != nil {
		return st, err
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	var files []int32 // the regular files' records (4 bytes each)
	b.idx.each(func(i int, r *packedRecord, _ func(ref) string) bool {
		if r.flags == flagFile {
			files = append(files, int32(i))
		}
		return true
	})
	for _, i := range files {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			n, err := b.decryptFile(int(i), out)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				st.Failed = append(st.Failed, err)
				return nil
			}
			st.Files++
			st.Bytes += n
			return nil
		})
	}
	return st, g.Wait()
}

func (b *Backup) writeRootFiles(out string) error {
	if err := os.WriteFile(filepath.Join(out, ManifestDB), b.manifestDB, 0o600); err != nil {
		return err
	}
	raw := map[string]any{}
	for k, v := range b.Manifest.Raw {
		raw[k] = v
	}
	raw["IsEncrypted"] = false
	delete(raw, "ManifestKey")
	mp, err := plist.Marshal(raw, plist.BinaryFormat)
	if err != nil {
		return fmt.Errorf("%s: %w", ManifestPlst, err)
	}
	if err := os.WriteFile(filepath.Join(out, ManifestPlst), mp, 0o600); err != nil {
		return err
	}
	for _, n := range []string{InfoPlist, StatusPlist} {
		data, err := b.root.ReadFile(n)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, n), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// decryptFile writes record i's plaintext to out/<id[0:2]>/<id>.
func (b *Backup) decryptFile(i int, out string) (int64, error) {
	p := b.idx.rec(i)
	r := b.idx.recordOf(&p, b.idx.str)
	name := r.Path()
	if !validID(r.FileID) {
		return 0, fmt.Errorf("%s: invalid file id %q", name, r.FileID)
	}
	f, err := b.root.Open(storedPath(r.FileID))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil // listed but not stored (as devices sometimes do)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	key, err := b.kb.UnwrapKey(b.idx.bytesOf(p.key, nil))
	if err != nil {
		return 0, fmt.Errorf("%s: file key: %w", name, err)
	}
	cr, err := newCBCReader(f, key, fi.Size(), r.Size)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	dst := filepath.Join(out, r.FileID[:2], r.FileID)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, err
	}
	w, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	n, cerr := io.Copy(w, cr)
	if err := errors.Join(cerr, w.Close()); err != nil {
		os.Remove(dst)
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	_ = os.Chtimes(dst, fi.ModTime(), fi.ModTime())
	return n, nil
}

// DecryptAllTo decrypts every file into memory-free sinks (io.Discard); it
// measures decryption alone (benchmarks) and checks every file's padding.
func (b *Backup) DecryptAllTo(ctx context.Context, sink func(name string) io.Writer) (DecryptStats, error) {
	var st DecryptStats
	var err error
	b.idx.each(func(_ int, r *packedRecord, str func(ref) string) bool {
		if err = ctx.Err(); err != nil {
			return false
		}
		if r.flags != flagFile {
			return true
		}
		name := str(r.path)
		f, oerr := b.Open(name)
		if oerr != nil {
			st.Failed = append(st.Failed, oerr)
			return true
		}
		n, cerr := io.Copy(sink(name), f)
		f.Close()
		if cerr != nil {
			st.Failed = append(st.Failed, cerr)
			return true
		}
		st.Files++
		st.Bytes += n
		return true
	})
	return st, err
}
