package iosgen

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"howett.net/plist"

	"github.com/spyscan/spyscan/internal/ios/keybag"
	"github.com/spyscan/spyscan/internal/ios/keyedarchive"
)

// DefaultTime is the fixed time used when a File or spec gives none.
var DefaultTime = time.Date(2023, 9, 12, 14, 30, 0, 0, time.UTC)

// Device describes the phone a synthetic acquisition comes from.
type Device struct {
	Name           string // "Jane's iPhone"
	ProductType    string // "iPhone14,2"
	ProductVersion string // "16.6"
	BuildVersion   string // "20G75"
	UDID           string // 40 hex digits
	Serial         string
	TimeZone       string // e.g. "Europe/Berlin", used by dumps and sysdiagnose
}

// DefaultDevice is used when a spec leaves Device empty.
var DefaultDevice = Device{Name: "Test iPhone", ProductType: "iPhone14,2", ProductVersion: "16.6",
	BuildVersion: "20G75", UDID: "00008110000A1B2C3D4E5F60718293A4B5C6D7E8", Serial: "F2LTESTSERIAL", TimeZone: "Europe/Berlin"}

// BackupSpec describes an iTunes/Finder backup to write.
type BackupSpec struct {
	Device Device
	Date   time.Time // backup date; zero: DefaultTime
	Files  []File    // files with an empty Domain are skipped
	Apps   []string  // installed bundle ids
	// Password, when set, makes an encrypted backup.
	Password string
	// Iter and DPIC are the PBKDF2 rounds; zero means low test values
	// (10 and 10). Devices use 10,000,000 (DPIC) and 10,000 (ITER).
	Iter, DPIC uint32
	Seed       uint64 // key material seed (deterministic output)
}

// FileID is the name a backup stores a file under: sha1(domain-relativePath).
func FileID(domain, rel string) string {
	h := sha1.Sum([]byte(domain + "-" + rel))
	return hex.EncodeToString(h[:])
}

type manifestRow struct {
	id, domain, rel string
	flags           int
	data            []byte
	mod             time.Time
}

// WriteBackup writes a backup into dir (created; must not exist or be empty).
func WriteBackup(ctx context.Context, dir string, s BackupSpec) error {
	if s.Device == (Device{}) {
		s.Device = DefaultDevice
	}
	if s.Date.IsZero() {
		s.Date = DefaultTime
	}
	if s.Iter == 0 {
		s.Iter = 10
	}
	if s.DPIC == 0 {
		s.DPIC = 10
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rows := manifestRows(s)
	rng := rand.NewChaCha8(seed(s.Seed))
	var kb *keybag.Keybag
	var kbRaw []byte
	if s.Password != "" {
		var err error
		kbRaw, kb, err = keybag.Build(keybag.BuildSpec{Password: s.Password, Salt: randBytes(rng, 20), Iter: s.Iter,
			DPSL: randBytes(rng, 20), DPIC: s.DPIC, Classes: []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Rand: rng})
		if err != nil {
			return err
		}
	}
	blobs := make([][]byte, len(rows))
	for i, r := range rows {
		var encKey []byte
		data := r.data
		if kb != nil && r.flags == 1 {
			key := randBytes(rng, 32)
			wk, err := kb.WrapKey(3, key)
			if err != nil {
				return err
			}
			encKey = wk
			data = encryptCBC(key, pkcs7(r.data))
		}
		blob, err := mbFile(r, int64(i+1000), encKey)
		if err != nil {
			return err
		}
		blobs[i] = blob
		if r.flags == 1 {
			p := filepath.Join(dir, r.id[:2], r.id)
			if err := writeFile(p, data, r.mod); err != nil {
				return err
			}
		}
	}
	db, err := manifestDB(ctx, rows, blobs)
	if err != nil {
		return err
	}
	var manifestKey []byte
	if kb != nil {
		key := randBytes(rng, 32)
		if manifestKey, err = kb.WrapKey(3, key); err != nil {
			return err
		}
		db = encryptCBC(key, db) // whole pages: no padding
	}
	if err := writeFile(filepath.Join(dir, "Manifest.db"), db, s.Date); err != nil {
		return err
	}
	for name, v := range map[string]any{
		"Info.plist":     infoPlist(s),
		"Manifest.plist": manifestPlist(s, kbRaw, manifestKey),
		"Status.plist":   statusPlist(s),
	} {
		b, err := plist.MarshalIndent(v, plist.XMLFormat, "\t")
		if name != "Info.plist" {
			b, err = plist.Marshal(v, plist.BinaryFormat)
		}
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, name), b, s.Date); err != nil {
			return err
		}
	}
	return nil
}

// manifestRows lists files and every parent folder (as devices do), sorted.
func manifestRows(s BackupSpec) []manifestRow {
	seen := map[string]bool{}
	var rows []manifestRow
	add := func(domain, rel string, flags int, data []byte, mod time.Time) {
		k := domain + "\x00" + rel
		if seen[k] {
			return
		}
		seen[k] = true
		rows = append(rows, manifestRow{id: FileID(domain, rel), domain: domain, rel: rel, flags: flags, data: data, mod: mod})
	}
	for _, f := range s.Files {
		if f.Domain == "" {
			continue
		}
		mod := f.ModTime
		if mod.IsZero() {
			mod = s.Date.Add(-time.Hour)
		}
		add(f.Domain, "", 2, nil, mod)
		for d := path.Dir(f.RelativePath); d != "." && d != "/"; d = path.Dir(d) {
			add(f.Domain, d, 2, nil, mod)
		}
		add(f.Domain, f.RelativePath, 1, f.Data, mod)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].domain != rows[j].domain {
			return rows[i].domain < rows[j].domain
		}
		return rows[i].rel < rows[j].rel
	})
	return rows
}

func mbFile(r manifestRow, inode int64, encKey []byte) ([]byte, error) {
	mode := int64(0o100644)
	if r.flags == 2 {
		mode = 0o40755
	}
	t := r.mod.Unix()
	f := map[string]any{
		"LastModified": t, "LastStatusChange": t, "Birth": t, "Flags": int64(0),
		"GroupID": int64(501), "UserID": int64(501), "Mode": mode, "InodeNumber": inode,
		"Size": int64(len(r.data)), "ProtectionClass": int64(3), "RelativePath": r.rel,
	}
	if r.flags == 2 {
		f["ProtectionClass"] = int64(0)
	}
	if encKey != nil {
		f["EncryptionKey"] = encKey
	}
	return keyedarchive.Encode(keyedarchive.Object{Class: "MBFile", Fields: f})
}

// manifestDB builds Manifest.db with the schema of iOS 10+ backups and
// returns its bytes.
func manifestDB(ctx context.Context, rows []manifestRow, blobs [][]byte) ([]byte, error) {
	schema := []string{
		"CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)",
		"CREATE INDEX FilesDomainIdx ON Files(domain)",
		"CREATE INDEX FilesRelativePathIdx ON Files(relativePath)",
		"CREATE INDEX FilesFlagsIdx ON Files(flags)",
		"CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB)",
	}
	ins := make([]Stmt, len(rows))
	for i, r := range rows {
		ins[i] = Ins("Files", "fileID, domain, relativePath, flags, file", r.id, r.domain, r.rel, r.flags, blobs[i])
	}
	b, err := SQLite(ctx, schema, ins)
	if err != nil {
		return nil, fmt.Errorf("Manifest.db: %w", err)
	}
	return b, nil
}

func infoPlist(s BackupSpec) map[string]any {
	d := s.Device
	apps := append([]string(nil), s.Apps...)
	sort.Strings(apps)
	return map[string]any{
		"Build Version": d.BuildVersion, "Device Name": d.Name, "Display Name": d.Name,
		"GUID": "5D7E6C1A9B3F4E2D8C0A1B2C3D4E5F60", "ICCID": "89490200001234567890", "IMEI": "356000000000000",
		"Installed Applications": apps, "Last Backup Date": s.Date, "Product Name": "iPhone",
		"Product Type": d.ProductType, "Product Version": d.ProductVersion, "Serial Number": d.Serial,
		"Target Identifier": strings.ToLower(d.UDID), "Target Type": "Device", "Unique Identifier": d.UDID,
		"iTunes Version": "12.13.0.9",
	}
}

func manifestPlist(s BackupSpec, kb, manifestKey []byte) map[string]any {
	d := s.Device
	apps := map[string]any{}
	for _, a := range s.Apps {
		apps[a] = map[string]any{"CFBundleIdentifier": a, "CFBundleVersion": "1", "ContainerContentClass": "Data/Application"}
	}
	m := map[string]any{
		"Applications": apps, "Date": s.Date, "IsEncrypted": s.Password != "", "SystemDomainsVersion": "24.0",
		"Version": "10.0", "WasPasscodeSet": true,
		"Lockdown": map[string]any{
			"BuildVersion": d.BuildVersion, "DeviceName": d.Name, "ProductType": d.ProductType,
			"ProductVersion": d.ProductVersion, "SerialNumber": d.Serial, "UniqueDeviceID": d.UDID,
			"com.apple.MobileDeviceCrashCopy": map[string]any{}, "com.apple.TerminalFlashr": map[string]any{},
		},
	}
	if kb != nil {
		m["BackupKeyBag"] = kb
		m["ManifestKey"] = manifestKey
	}
	return m
}

func statusPlist(s BackupSpec) map[string]any {
	return map[string]any{"BackupState": "new", "Date": s.Date, "IsFullBackup": false,
		"SnapshotState": "finished", "UUID": "1B0D5E9A-3C2F-4A6B-8D7E-9F0A1B2C3D4E", "Version": "3.3"}
}

func seed(s uint64) [32]byte {
	var b [32]byte
	for i := range 8 {
		b[i] = byte(s >> (8 * i))
	}
	copy(b[8:], "spyscan-iosgen")
	return b
}

func randBytes(r *rand.ChaCha8, n int) []byte {
	b := make([]byte, n)
	r.Read(b)
	return b
}

func pkcs7(b []byte) []byte {
	p := aes.BlockSize - len(b)%aes.BlockSize
	return append(append([]byte(nil), b...), bytes.Repeat([]byte{byte(p)}, p)...)
}

func encryptCBC(key, plain []byte) []byte {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // 32-byte keys only
	}
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, make([]byte, aes.BlockSize)).CryptBlocks(out, plain)
	return out
}

func writeFile(p string, data []byte, mod time.Time) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return err
	}
	if mod.IsZero() {
		mod = DefaultTime
	}
	return os.Chtimes(p, mod, mod)
}
