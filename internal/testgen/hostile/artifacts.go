package hostile

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// damage is one way of making an artifact hostile: it returns the new
// content and the error text the scan must report.
type damage struct {
	name string
	err  string
	f    func([]byte) []byte
	// partial: the pages the damage spares are still read, and may hold
	// the artifact's planted trace (see plantedInSpared).
	partial bool
}

// plantedInSpared are the artifacts whose planted trace sits in pages
// that corrupt pages spare: the partial read finds it, so the scan
// reports traces (exit 1) besides listing the damaged file.
var plantedInSpared = map[string]bool{"interactionC.db": true, "ChatStorage.sqlite": true, "observations.db": true}

// sqliteDamages apply to every SQLite artifact a module reads.
var sqliteDamages = []damage{
	// a view over an endless recursive query where a table should be:
	// unbounded time and memory if run
	{"view over an endless recursive query", "view where a table is expected", EndlessViews, false},
	{"corrupt pages", "", iosdata.Corrupt, true},
	{"cut in half", "", half, false},
}

// plistDamages apply to every plist artifact a module reads.
var plistDamages = []damage{
	{"XML arrays nested 257 deep", "nested too deeply", func([]byte) []byte { return DeepXMLPlist(257, "array") }, false},
	{"XML dictionaries nested 300000 deep (2 MB)", "nested too deeply", func([]byte) []byte { return DeepXMLPlist(300_000, "dict") }, false},
	{"binary arrays nested 257 deep", "nested too deeply", func([]byte) []byte { return DeepBinaryPlist(257) }, false},
	{"binary arrays nested 200000 deep (1 MB)", "nested too deeply", func([]byte) []byte { return DeepBinaryPlist(200_000) }, false},
	{"binary subtree shared past the depth limit", "nested too deeply", func([]byte) []byte { return SharedDeepBinaryPlist(255) }, false},
	{"OpenStep arrays nested 100000 deep", "nested too deeply", func([]byte) []byte { return DeepTextPlist(100_000, '(') }, false},
	{"binary plist expanding to 2^40 objects", "too many objects", func([]byte) []byte { return iosdata.PlistBomb(40, false) }, false},
	{"binary plist with a reference cycle", "", func([]byte) []byte { return iosdata.PlistBomb(8, true) }, false},
}

// iosArtifacts puts each damage in place of each iOS artifact a module
// reads (sms.db, TCC.db, DataUsage.sqlite, the plists...), alone in a
// backup when it lives in one and in a dump .tar otherwise, next to a
// clean capture: the module lists the file as unreadable, the scan is
// inconclusive (the rest holds no trace), the capture is still scanned.
func iosArtifacts(string) []Case {
	var cs []Case
	for _, f := range artifactFiles() {
		var ds []damage
		switch {
		case bytes.HasPrefix(f.Data, []byte("SQLite format 3\x00")):
			ds = sqliteDamages
		case isPlist(f.Data):
			ds = plistDamages
		default:
			continue
		}
		for _, d := range ds {
			code := ExitInconclusive
			if d.partial && plantedInSpared[path.Base(artifactName(f))] {
				code = ExitTraces
			}
			cs = append(cs, Case{Name: artifactName(f) + ": " + d.name, Class: "artifact", build: artifactBuilder(f, d.f, f.Domain == ""),
				Code: code, Ran: true, Err: d.err, WithClean: true})
		}
		// the first damage once more inside a dump .zip, for the artifacts
		// a dump holds
		if f.Domain != "" && f.Path != "" {
			cs = append(cs, Case{Name: f.Path + " in a dump zip: " + ds[0].name, Class: "artifact", build: artifactBuilder(f, ds[0].f, true),
				Code: ExitInconclusive, Ran: true, Err: ds[0].err, WithClean: true})
		}
	}
	return cs
}

// artifactFiles are the iOS artifacts with no planted trace of their own
// that a damage can replace: every artifact of iosdata, one of each path.
func artifactFiles() []iosgen.File {
	return iosdata.All(0)
}

func artifactName(f iosgen.File) string {
	if f.Domain != "" {
		return f.Domain + "/" + f.RelativePath
	}
	return f.Path
}

func isPlist(b []byte) bool {
	return bytes.HasPrefix(b, []byte("bplist00")) || bytes.HasPrefix(b, []byte("<?xml")) && bytes.Contains(b[:min(len(b), 300)], []byte("<plist"))
}

// artifactBuilder writes f, damaged, alone in a backup, or in a dump
// (a .tar, or a .zip when f is also in backups).
func artifactBuilder(f iosgen.File, dmg func([]byte) []byte, dump bool) builder {
	return func(dir string) ([]string, string) {
		g := f
		g.Data = dmg(bytes.Clone(f.Data))
		if !dump {
			p := filepath.Join(dir, "backup")
			check(iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: []iosgen.File{g}}))
			return []string{p}, path.Base(g.RelativePath)
		}
		p, format := filepath.Join(dir, "dump.tar"), iosgen.DumpTar
		if g.Domain != "" {
			p, format = filepath.Join(dir, "dump.zip"), iosgen.DumpZip
		}
		check(iosgen.WriteDump(p, iosgen.DumpSpec{Files: []iosgen.File{g}, Format: format}))
		return []string{p}, path.Base(g.Path)
	}
}

// EndlessViews turns every table of the SQLite database db into a view
// of the same name and columns that joins the table's rows to an endless
// recursive query: a reader that runs it never ends and grows without
// bound.
func EndlessViews(db []byte) []byte {
	out, err := iosgen.Rework(context.Background(), db, func(ctx context.Context, tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
		if err != nil {
			return err
		}
		var tables []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			tables = append(tables, n)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, t := range tables {
			for _, q := range []string{
				fmt.Sprintf(`ALTER TABLE "%s" RENAME TO "%s_rows"`, t, t),
				fmt.Sprintf(`CREATE VIEW "%s" AS WITH RECURSIVE forever(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM forever) SELECT r.* FROM forever, "%s_rows" AS r`, t, t),
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("%s: %w", q, err)
				}
			}
		}
		return nil
	})
	must(err)
	return out
}
