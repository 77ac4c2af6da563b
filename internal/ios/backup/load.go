package backup

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/keybag"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// unlock asks for the password, unlocks the keybag and decrypts
// Manifest.db into memory.
func (b *Backup) unlock(ctx context.Context, opts Options) error {
	mp := filepath.Join(b.Dir, ManifestPlst)
	if opts.Password == nil {
		return fmt.Errorf("%w: %s is an encrypted iOS backup; give its password at the prompt, in SPYSCAN_BACKUP_PASSWORD, or with --password-file",
			acquisition.ErrNeedPassword, b.Dir)
	}
	kb, err := keybag.Parse(b.Manifest.BackupKeyBag)
	if err != nil {
		return fmt.Errorf("%s: BackupKeyBag: %w: %w", mp, acquisition.ErrCorrupt, err)
	}
	if len(b.Manifest.ManifestKey) == 0 {
		return fmt.Errorf("%s: %w: encrypted backup without ManifestKey", mp, acquisition.ErrCorrupt)
	}
	pw, err := opts.Password(ctx, b.Dir)
	if err != nil {
		return err
	}
	if err := acquisition.Interruptible(ctx, func() error { return kb.Unlock(pw) }); err != nil {
		if ctx.Err() != nil {
			return err
		}
		if errors.Is(err, keybag.ErrWrongPassword) {
			return fmt.Errorf("%s: %w for this encrypted iOS backup", b.Dir, acquisition.ErrWrongPassword)
		}
		return fmt.Errorf("%s: BackupKeyBag: %w: %w", mp, acquisition.ErrCorrupt, err)
	}
	b.kb = kb
	key, err := kb.UnwrapKey(b.Manifest.ManifestKey)
	if err != nil {
		return fmt.Errorf("%s: ManifestKey: %w: %w", mp, acquisition.ErrCorrupt, err)
	}
	enc, err := b.root.ReadFile(ManifestDB)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(b.Dir, ManifestDB), err)
	}
	plain, err := decryptAll(key, enc)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", filepath.Join(b.Dir, ManifestDB), acquisition.ErrCorrupt, err)
	}
	if !bytes.HasPrefix(plain, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%s: %w: decrypted Manifest.db is not SQLite (wrong ManifestKey?)", filepath.Join(b.Dir, ManifestDB), acquisition.ErrCorrupt)
	}
	b.manifestDB = plain
	return nil
}

// loadRecords reads Manifest.db's Files table.
func (b *Backup) loadRecords(ctx context.Context, tempDir string, bd *builder) error {
	var db *sqlitex.DB
	var err error
	name := filepath.Join(b.Dir, ManifestDB)
	if b.Encrypted {
		var dir string
		db, dir, err = b.openDecryptedManifest(ctx, tempDir)
		if dir != "" {
			defer os.RemoveAll(dir) // runs after db.Close below
		}
	} else {
		db, err = sqlitex.Open(ctx, b.root, ManifestDB, tempDir)
	}
	if err != nil {
		return fmt.Errorf("%s: %w: %w", name, acquisition.ErrCorrupt, err)
	}
	defer db.Close()
	// It only sizes a cache: should SQLite refuse it, the read is the same.
	_ = sizeManifestCache(ctx, db)
	rows, err := db.QueryContext(ctx, "SELECT fileID, domain, relativePath, flags, file FROM Files")
	if err != nil {
		return fmt.Errorf("%s: %w: %w", name, acquisition.ErrCorrupt, err)
	}
	defer rows.Close()
	batch := make([]manifestRow, 0, rowBatch) // grown one doubling at a time, it was copied twelve times
	// One set for every row (Scan takes their addresses, which made one
	// heap copy of the row each). The text columns are read as strings,
	// the driver's own (into []byte, database/sql copied each, and the
	// index copied it again into a string); NULL reads as "", as before.
	var id, domain, rel sql.NullString
	var blobs blobArena
	var r manifestRow
	for rows.Next() {
		if err := rows.Scan(&id, &domain, &rel, &r.flags, &blobs); err != nil {
			return fmt.Errorf("%s: %w: %w", name, acquisition.ErrCorrupt, err)
		}
		r.id, r.domain, r.rel, r.blob = id.String, domain.String, rel.String, blobs.last
		batch = append(batch, r)
		if len(batch) == rowBatch {
			if err := b.addBatch(bd, batch); err != nil {
				return fmt.Errorf("%s: %w: %w", name, acquisition.ErrCorrupt, err)
			}
			batch = batch[:0]
			blobs.reset()
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w: %w", name, acquisition.ErrCorrupt, err)
	}
	if err := b.addBatch(bd, batch); err != nil {
		return fmt.Errorf("%s: %w: %w", name, acquisition.ErrCorrupt, err)
	}
	return nil
}

// sizeManifestCache sets db's page cache to manifestCacheKiB. The Files
// table is read once, in order: with SQLite's default page cache (2 MB)
// every page read stays cached, each in memory of its own that the scan
// touches once (about 800 pages, as many page faults, for MVT's sample's
// 3.2 MB Manifest.db). A cache of a few pages recycles them.
func sizeManifestCache(ctx context.Context, db *sqlitex.DB) error {
	_, err := db.ExecContext(ctx, "PRAGMA cache_size = -"+strconv.Itoa(manifestCacheKiB))
	return err
}

// manifestCacheKiB is the page cache of Manifest.db while its Files table
// is read.
const manifestCacheKiB = 64

// manifestRow is a row of the Files table, its MBFile blob decoded.
type manifestRow struct {
	id, domain, rel string
	flags           int64
	blob            []byte
	mb              mbFile
}

// rowBatch rows are decoded at once, on every core, then packed into the
// index, so that their MBFile blobs (0.5 KB a file) are never all held.
// The batch (0.2 KB a row) and its blobs' chunks are reused by the next
// batch: at 256 rows they are 0.2 MB of fresh pages a scan touches once
// (one chunk of blobs), where 1,024 rows made 0.7 MB and 4,096 rows 2.8 MB
// (MVT's sample has 3,721 rows).
const rowBatch = 256

func (b *Backup) addBatch(bd *builder, batch []manifestRow) error {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(batch); i += workers {
				batch[i].mb = decodeMBFile(batch[i].blob)
			}
		})
	}
	wg.Wait()
	for i := range batch {
		r := &batch[i]
		if err := bd.add(r.id, r.domain, r.rel, r.flags, r.mb); err != nil {
			return err
		}
		*r = manifestRow{}
	}
	return nil
}

// openDecryptedManifest writes the decrypted Manifest.db to a private
// folder (returned, for the caller to remove) and opens it.
func (b *Backup) openDecryptedManifest(ctx context.Context, tempDir string) (*sqlitex.DB, string, error) {
	dir, err := os.MkdirTemp(tempDir, "manifest-*")
	if err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestDB), b.manifestDB, 0o600); err != nil {
		return nil, dir, err
	}
	db, err := sqlitex.Open(ctx, os.DirFS(dir), ManifestDB, tempDir)
	return db, dir, err
}
