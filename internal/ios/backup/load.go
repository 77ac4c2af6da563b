package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

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
func (b *Backup) loadRecords(ctx context.Context, tempDir string) error {
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
	rows, err := db.QueryContext(ctx, "SELECT fileID, domain, relativePath, flags, file FROM Files")
	if err != nil {
		return fmt.Errorf("%s: %w: %w", name, acquisition.ErrCorrupt, err)
	}
	defer rows.Close()
	domains := map[string]string{} // a few dozen domains, 100,000s of files
	const batch = 4096
	for rows.Next() {
		var id, domain, rel []byte
		var flags int64
		var blob []byte
		if err := rows.Scan(&id, &domain, &rel, &flags, &blob); err != nil {
			return fmt.Errorf("%s: %w: %w", name, acquisition.ErrCorrupt, err)
		}
		d, ok := domains[string(domain)]
		if !ok {
			d = string(domain)
			domains[d] = d
		}
		r := &lazyRecord{Record: Record{FileID: string(id), Domain: d, RelativePath: string(rel), Flags: int(flags)}, blob: blob}
		b.records = append(b.records, r)
		if len(b.records)%batch == 0 {
			decodeBatch(b.records[len(b.records)-batch:])
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w: %w", name, acquisition.ErrCorrupt, err)
	}
	decodeBatch(b.records[len(b.records)/batch*batch:])
	sort.Slice(b.records, func(i, j int) bool {
		x, y := b.records[i], b.records[j]
		if x.Domain != y.Domain {
			return x.Domain < y.Domain
		}
		if x.RelativePath != y.RelativePath {
			return x.RelativePath < y.RelativePath
		}
		return x.FileID < y.FileID
	})
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
