// Package acquisition owns what a scanned input is: its kind, a read-only
// fs.FS view of its files, and the openers that recognise each kind. The
// platform packages (ios, android, network) provide openers; the scan core
// tries them in the order of an explicit list.
package acquisition

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/spyscan/spyscan/internal/model"
)

// Kind names a type of acquisition.
type Kind string

// Acquisition kinds.
const (
	IOSBackup          Kind = "ios-backup"
	IOSBackupEncrypted Kind = "ios-backup-encrypted"
	IOSFilesystem      Kind = "ios-filesystem"
	IOSSysdiagnose     Kind = "ios-sysdiagnose"
	AndroidBugreport   Kind = "android-bugreport"
	AndroidQF          Kind = "androidqf"
	AndroidBackup      Kind = "android-backup"
	// AndroidIntrusionLogs is a folder, zip or file of Android Intrusion
	// Logs given on their own (inside an androidqf they are part of it).
	AndroidIntrusionLogs Kind = "android-intrusion-logs"
	PCAP                 Kind = "pcap"
	NetworkLog           Kind = "network-log"
	// Archive is a zip no opener recognises that holds acquisitions: the
	// scan hashes it, unpacks it into its private temp folder and scans
	// what it holds as inputs of their own. No module reads it.
	Archive Kind = "archive"
)

// Kinds returns every acquisition kind, in the order above.
func Kinds() []Kind {
	return []Kind{IOSBackup, IOSBackupEncrypted, IOSFilesystem, IOSSysdiagnose,
		AndroidBugreport, AndroidQF, AndroidBackup, PCAP, NetworkLog}
}

// Acquisition is one opened input.
type Acquisition struct {
	Path string // as given on the command line
	Kind Kind
	// FS is the read-only view of the acquisition's files. For an iOS backup
	// its paths are "<domain>/<relativePath>"; for a single-file input (a
	// pcap, a log) it holds that one file under its base name.
	FS fs.FS
	// Meta holds facts the opener learnt (device name, OS version, ...).
	Meta map[string]string
	// TZ is the device's time zone name when known ("" otherwise).
	TZ string
	// Close releases what Open took (temp dirs, open archives). May be nil.
	Close func() error
	// Problems are the parts of the input the opener could not open (a
	// corrupt nested bugreport.zip of an androidqf acquisition, a special
	// file in an archive...) while it opened the rest. The scan logs them
	// and the self-test makes such a scan inconclusive.
	Problems []model.Problem
	// Beside names the entries at the top of a folder acquisition that
	// are not part of it (backup.ab files kept beside an unpacked
	// backup's apps/, say). The scan reads each one that is an input of
	// its own as a separate input, and lists the others as not read
	// (ErrBeside), so that the folder is never called clean without them.
	Beside []string
}

// Options carries what some openers need.
type Options struct {
	// Password returns the backup password when the input is encrypted. It is
	// asked only when needed; nil means no password source was given.
	Password func(ctx context.Context, path string) (string, error)
	// TempDir is a private (0700) directory removed when the scan ends.
	TempDir string
	// DeviceTZ is the device's IANA time zone as the user gives it, for
	// inputs that do not carry it (intrusion logs without a getprop.txt);
	// the input's own time zone wins.
	DeviceTZ string
}

// Opener recognises and opens one family of acquisitions.
type Opener interface {
	// Name is a short label used in logs.
	Name() string
	// Detect reports the kind of path if this opener recognises it. It only
	// reads, and reads little.
	Detect(ctx context.Context, path string) (Kind, bool)
	// Open opens path, already detected as kind.
	Open(ctx context.Context, path string, kind Kind, opts Options) (*Acquisition, error)
}

// Sentinel outcomes shared by every opener. Wrap them with the path.
var (
	ErrUnrecognised  = model.NewError(model.KindUnsupported, "unsupported or unrecognised input")
	ErrNeedPassword  = model.NewError(model.KindPassword, "encrypted input: a password is needed")
	ErrWrongPassword = model.NewError(model.KindPassword, "wrong password")
	ErrCorrupt       = model.NewError(model.KindDamaged, "corrupt or truncated input")
	ErrUnsafeArchive = model.NewError(model.KindRefused, "archive entry escapes the root or is too large")
	// ErrBeside is the problem of a file found beside a folder
	// acquisition, not part of it, and not an input spyscan recognises.
	ErrBeside = fmt.Errorf("%w: not part of the acquisition it is in, and not an acquisition of its own that spyscan recognises", ErrUnrecognised)
	// ErrSpecialFile: a device, FIFO or socket where a file is expected;
	// it is listed as unreadable, never opened (a FIFO would block).
	ErrSpecialFile = model.NewError(model.KindUnreadable, "not a regular file (device, FIFO or socket)")
)

// Interruptible runs fn, a computation that cannot watch ctx itself (a key
// derivation of up to a hundred million PBKDF2 rounds), and returns ctx's
// error as soon as ctx is done, so that an interrupted scan stops within a
// second; fn then finishes unobserved and its results must be dropped by
// the caller.
func Interruptible(ctx context.Context, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
