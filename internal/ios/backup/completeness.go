package backup

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/spyscan/spyscan/internal/spill"
)

// idBudget bounds the file ids Completeness holds in memory while it
// sorts them (the rest go to sorted runs in the backup's temporary folder;
// a variable for the tests).
var idBudget = 1 << 20

// idCodec sorts file ids as bytes, so that the ids of one folder of
// stored copies ("<id[0:2]>/") come together.
var idCodec = spill.Codec[string]{
	Append: func(dst []byte, id *string) []byte { return spill.AppendString(dst, *id) },
	Decode: func(src []byte, id *string) error {
		d := spill.NewDecoder(src)
		*id = d.String()
		return d.Err()
	},
	Compare: func(a, b *string) int { return strings.Compare(*a, *b) },
	Size:    func(id *string) int { return 16 + len(*id) },
}

// Completeness counts the regular files Manifest.db lists and those of
// them whose stored copy is absent from the backup folder. Each folder of
// stored copies is listed once rather than each copy looked up, and only
// one listing is held at a time: the listed ids are first sorted through
// the backup's temporary folder (internal/spill), so the memory does not
// grow with the backup (holding every folder's listing took ~85 bytes per
// file: 34 MB at 400,000 files). Should the sort fail (a disk error), each
// copy is looked up instead.
func (b *Backup) Completeness() (listed, missing int) {
	ids := spill.New(b.tempDir, idBudget, idCodec)
	defer ids.Close()
	var err error
	b.eachFileID(func(id string) bool {
		err = ids.Add(id)
		return err == nil
	})
	if err == nil {
		f := folder{top: topFolders(b)}
		err = ids.Each(func(id *string) error {
			listed++
			if f.absent(b, *id) {
				missing++
			}
			return nil
		})
	}
	if err != nil {
		return b.completenessByLookup()
	}
	return listed, missing
}

// eachFileID calls fn with the file id of every regular file record whose
// id is valid, until fn returns false.
func (b *Backup) eachFileID(fn func(id string) bool) {
	b.idx.each(func(_ int, r *packedRecord, str func(ref) string) bool {
		if r.flags != flagFile {
			return true
		}
		if id := str(r.id); validID(id) {
			return fn(id)
		}
		return true
	})
}

// completenessByLookup is Completeness by a lookup of each stored copy.
func (b *Backup) completenessByLookup() (listed, missing int) {
	b.eachFileID(func(id string) bool {
		listed++
		if b.lookupAbsent(id) {
			missing++
		}
		return true
	})
	return listed, missing
}

// lookupAbsent reports whether the stored copy of file id is missing, by
// looking it up.
func (b *Backup) lookupAbsent(id string) bool {
	_, err := b.root.Lstat(storedPath(id))
	return errors.Is(err, fs.ErrNotExist)
}

// folder is the listing of one folder of stored copies, for ids that
// come sorted.
type folder struct {
	top   map[string]bool // the backup folder's entries, lower-cased; nil if it could not be listed
	dir   string          // "" before the first id
	names map[string]bool // empty for a folder that does not exist, nil for one that cannot be listed
}

// topFolders returns the names in the backup folder, lower-cased (nil if
// it cannot be listed): a folder of stored copies that is not among them
// does not exist, and is not opened to learn it. Manifest.db may list
// files in all 256 folders of a backup that holds a few (MVT's sample:
// 246 of 256 absent, each an open that failed).
func topFolders(b *Backup) map[string]bool {
	list, err := b.root.Names(".")
	if err != nil {
		return nil
	}
	top := make(map[string]bool, len(list))
	for _, n := range list {
		top[strings.ToLower(n)] = true // as a case-insensitive file system would find it
	}
	return top
}

// absent reports whether the stored copy of file id is missing, from the
// listing of its folder (made when id is the first of its folder; a
// folder that cannot be listed has its files looked up one by one).
func (f *folder) absent(b *Backup, id string) bool {
	if dir := id[:2]; dir != f.dir {
		f.dir, f.names = dir, nil
		var list []string
		err := error(&fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrNotExist})
		if f.top == nil || f.top[strings.ToLower(dir)] {
			list, err = b.root.Names(dir) // not ReadDir: through os.Root it looks up every entry
		}
		switch {
		case err == nil:
			f.names = make(map[string]bool, len(list))
			for _, n := range list {
				f.names[n] = true
			}
		case errors.Is(err, fs.ErrNotExist):
			f.names = map[string]bool{}
		}
	}
	if f.names == nil {
		return b.lookupAbsent(id)
	}
	return !f.names[id]
}
