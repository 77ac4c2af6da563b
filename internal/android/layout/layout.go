// Package layout owns the path conventions of the Android acquisitions'
// fs.FS views, so that the openers (internal/android/acquire) and the
// artifact modules agree on where each artifact lives.
//
//   - android-bugreport: the bugreport zip or folder as it is
//     ("main_entry.txt", "bugreport-<x>.txt", "FS/data/tombstones/...").
//   - androidqf: the acquisition folder as it is ("packages.json",
//     "getprop.txt", "logs/..."); its nested bugreport.zip is ALSO exposed,
//     opened, under "bugreport/" (so "bugreport/main_entry.txt"), and its
//     nested backup.ab, decoded, under "backup/"
//     (so "backup/apps/com.android.providers.telephony/d_f/000000_sms_backup").
//   - android-backup: the tar inside backup.ab ("apps/<package>/...").
package layout

import (
	"path"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// Sub-trees of an androidqf acquisition that hold its nested containers.
const (
	QFBugreportDir = "bugreport"
	QFBackupDir    = "backup"
)

// BackupRoots returns the directories of the FS that hold a backup.ab's tar
// contents for this kind ("." for the root), or nil.
func BackupRoots(kind acquisition.Kind) []string {
	switch kind {
	case acquisition.AndroidBackup:
		return []string{"."}
	case acquisition.AndroidQF:
		return []string{QFBackupDir}
	}
	return nil
}

// Join joins a root returned above with a path inside it.
func Join(root, name string) string {
	if root == "." || root == "" {
		return path.Clean(name)
	}
	return path.Join(root, name)
}
