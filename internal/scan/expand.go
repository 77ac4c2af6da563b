package scan

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// containers are the kinds whose own files may be acquisitions of other
// kinds (an androidqf holds backup.ab and bugreport.zip; a filesystem dump
// holds anything): a folder recognised as one of them is never split.
var containers = map[acquisition.Kind]bool{
	acquisition.AndroidQF:          true,
	acquisition.IOSFilesystem:      true,
	acquisition.IOSBackup:          true,
	acquisition.IOSBackupEncrypted: true,
}

// expandFolders replaces each folder that holds several inputs by the
// inputs it holds, so that a folder of one person's acquisitions is
// scanned whole instead of being taken for the one acquisition some
// opener recognises in it (an androidqf subfolder made the whole folder a
// bugreport, and the backup, capture and logs beside it went unread).
//
// A folder is split when no opener recognises it and at least one of its
// entries is an input, or when it is recognised as a kind that is not a
// container and at least two entries are inputs, one of another kind (a
// folder of Zeek logs stays one input; the same folder with a capture in
// it is split). Every entry but hidden ones becomes an input, so an entry
// no opener recognises is listed as not read rather than passed over.
//
// A recognised folder with a sub-folder that is no input on its own (an
// unzipped bugreport's FS/, an unpacked backup's apps/) is made by its
// layout: splitting it would lose that sub-folder. It stays one input, and
// only its entries of another kind (a capture kept beside the bugreport's
// files) are added as inputs of their own. When one of its sub-folders is
// an input itself, the folder was recognised through it (a bugreport
// through an androidqf's dumpsys.txt) and is split as above.
func expandFolders(ctx context.Context, openers []acquisition.Opener, paths []string, log *slog.Logger) []string {
	var out []string
	for _, p := range paths {
		entries, ok := folderOfInputs(ctx, openers, p)
		if !ok {
			out = append(out, p)
			continue
		}
		log.Info(splitMessage(p, entries), "folder", p)
		out = append(out, entries...)
	}
	return out
}

// splitMessage tells the user that folder p is scanned as the inputs it
// holds, in words that fit their number.
func splitMessage(p string, entries []string) string {
	if len(entries) == 1 {
		return fmt.Sprintf("%s is scanned as the one input it holds, %s", p, filepath.Base(entries[0]))
	}
	return fmt.Sprintf("%s holds %d inputs: each is scanned on its own", p, len(entries))
}

// folderOfInputs returns the entries of p to scan as inputs, and whether p
// is a folder of inputs.
func folderOfInputs(ctx context.Context, openers []acquisition.Opener, p string) ([]string, bool) {
	if st, err := os.Stat(p); err != nil || !st.IsDir() {
		return nil, false
	}
	own, recognised := detect(ctx, openers, p)
	if recognised && containers[own] {
		return nil, false
	}
	des, err := os.ReadDir(p)
	if err != nil {
		return nil, false
	}
	var entries, others []string
	inputs, plainDir, inputDir := 0, false, false
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") {
			continue
		}
		e := filepath.Join(p, de.Name())
		entries = append(entries, e)
		kind, ok := detect(ctx, openers, e)
		switch {
		case ok:
			inputs++
			inputDir = inputDir || de.IsDir()
			if kind != own {
				others = append(others, e)
			}
		case de.IsDir():
			plainDir = true
		}
	}
	sort.Strings(entries)
	sort.Strings(others)
	switch {
	case !recognised:
		return entries, inputs >= 1
	case inputs < 2 || len(others) == 0:
		return nil, false
	case plainDir && !inputDir:
		return append([]string{p}, others...), true
	}
	return entries, true
}

// detect returns the kind of the first opener that recognises p.
func detect(ctx context.Context, openers []acquisition.Opener, p string) (acquisition.Kind, bool) {
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() && !st.IsDir() {
		return "", false // a FIFO would block every opener's Detect
	}
	for _, o := range openers {
		if kind, ok := o.Detect(ctx, p); ok {
			return kind, true
		}
	}
	return "", false
}
