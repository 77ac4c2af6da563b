// Package datausage owns the per-process network usage databases of iOS:
// DataUsage.sqlite (backups and dumps) and netusage.sqlite (dumps). Process
// names and bundle ids are checked against the indicators; usage rows
// pointing at a deleted process row, gaps in the process ids, and (in
// dumps) processes with no bundle id whose binary is nowhere on disk are
// flagged, since Pegasus deleted its own rows and ran binaries from
// temporary places.
package datausage

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// DataUsageSpec locates DataUsage.sqlite.
var DataUsageSpec = artifact.Spec{
	Backup: []string{"WirelessDomain/Library/Databases/DataUsage.sqlite"},
	Dump:   []string{"private/var/wireless/Library/Databases/DataUsage.sqlite"},
}

// NetUsageSpec locates netusage.sqlite.
var NetUsageSpec = artifact.Spec{
	Dump: []string{"private/var/networkd/netusage.sqlite", "private/var/networkd/db/netusage.sqlite"},
}

// DataUsage reads DataUsage.sqlite.
type DataUsage struct{ module.Base }

// NewDataUsage returns the module.
func NewDataUsage() DataUsage { return DataUsage{module.NewBase("datausage", 1, DataUsageSpec)} }

// Run reads the database.
func (DataUsage) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return run(ctx, in, rec, DataUsageSpec)
}

// NetUsage reads netusage.sqlite.
type NetUsage struct{ module.Base }

// NewNetUsage returns the module.
func NewNetUsage() NetUsage { return NetUsage{module.NewBase("netusage", 1, NetUsageSpec)} }

// Run reads the database.
func (NetUsage) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return run(ctx, in, rec, NetUsageSpec)
}

// Usage is one record: a live-usage row with its process, or a process
// with no usage row.
type Usage struct {
	ProcID    int64   `json:"proc_id"`
	ProcName  string  `json:"proc_name"`
	BundleID  string  `json:"bundle_id,omitempty"`
	FirstTime string  `json:"first_time,omitempty"`
	Time      string  `json:"time,omitempty"`
	LiveID    int64   `json:"live_id,omitempty"`
	LiveTime  string  `json:"live_time,omitempty"`
	WifiIn    float64 `json:"wifi_in"`
	WifiOut   float64 `json:"wifi_out"`
	WWANIn    float64 `json:"wwan_in"`
	WWANOut   float64 `json:"wwan_out"`
	Deleted   bool    `json:"process_row_deleted,omitempty"`
	DB        string  `json:"db"`
}

type proc struct {
	id           int64
	name, bundle string
	first, last  time.Time
	used         bool
}

func run(ctx context.Context, in *module.Input, rec *module.Recorder, spec artifact.Spec) error {
	return iosmod.ForEachDB(ctx, in, rec, spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		if joinable(ctx, db) {
			return stream(ctx, in, rec, db, p)
		}
		return load(ctx, in, rec, db, p)
	})
}

// load reads a database whose schema lacks something stream needs: the
// processes are held in memory, missing columns read as NULL.
func load(ctx context.Context, in *module.Input, rec *module.Recorder, db *sqlitex.DB, p string) error {
	{
		procs := map[int64]*proc{}
		var ids []int64
		if err := iosmod.Query(ctx, db, rec, "ZPROCESS", []string{"Z_PK", "ZFIRSTTIMESTAMP", "ZTIMESTAMP", "ZBUNDLENAME", "ZPROCNAME"}, "ORDER BY Z_PK", func(r iosmod.Row) error {
			pr := procOf(r)
			procs[pr.id] = pr
			ids = append(ids, pr.id)
			return nil
		}); err != nil {
			rec.FileError(p, err)
		}
		deleted := map[int64]bool{}
		err := iosmod.Query(ctx, db, rec, "ZLIVEUSAGE", []string{"Z_PK", "ZHASPROCESS", "ZTIMESTAMP", "ZWIFIIN", "ZWIFIOUT", "ZWWANIN", "ZWWANOUT"}, "ORDER BY Z_PK", func(r iosmod.Row) error {
			pid := r.Int("zhasprocess")
			lt := iosmod.AppleTime(r, "ztimestamp")
			u := Usage{ProcID: pid, LiveID: r.Int("z_pk"), LiveTime: iosmod.ISO(lt), WifiIn: r.Float("zwifiin"), WifiOut: r.Float("zwifiout"),
				WWANIn: r.Float("zwwanin"), WWANOut: r.Float("zwwanout"), DB: p}
			pr := procs[pid]
			if pr == nil && len(procs) > 0 {
				u.Deleted = true
				u.ProcName = "[process row deleted]"
			} else if pr != nil {
				pr.used = true
				u.ProcName, u.BundleID, u.FirstTime, u.Time = pr.name, pr.bundle, iosmod.ISO(pr.first), iosmod.ISO(pr.last)
			}
			live(rec, &u, pid, lt, p, deleted)
			return nil
		})
		if err != nil {
			rec.FileError(p, err)
		}
		binaries := binaryNames(ctx, in, procs)
		for _, id := range ids {
			checkProc(rec, procs[id], p, binaries)
		}
		gaps(rec, procs, ids, p)
		return nil
	}
}

var (
	processColumns = []string{"z_pk", "zfirsttimestamp", "ztimestamp", "zbundlename", "zprocname"}
	liveColumns    = []string{"z_pk", "zhasprocess", "ztimestamp", "zwifiin", "zwifiout", "zwwanin", "zwwanout"}
)

// joinable reports whether stream can read the database: both tables are
// real tables with every column read, and Z_PK is ZPROCESS's INTEGER
// PRIMARY KEY (Core Data's schema), so that a usage row joins at most one
// process, through the key.
func joinable(ctx context.Context, db *sqlitex.DB) bool {
	return db.HasColumns(ctx, "ZPROCESS", processColumns...) && db.HasColumns(ctx, "ZLIVEUSAGE", liveColumns...) &&
		db.IntegerKey(ctx, "ZPROCESS", "Z_PK")
}

// A usage row's process, as load looks it up (a NULL or non-numeric
// ZHASPROCESS is process 0).
const processOf = `coalesce(CAST(l.ZHASPROCESS AS INTEGER), 0)`

// stream reads the database with SQLite joining each usage row to its
// process, so that memory does not grow with the tables; the records,
// events and alerts are load's, in the same order.
func stream(ctx context.Context, in *module.Input, rec *module.Recorder, db *sqlitex.DB, p string) error {
	var anyProc bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ZPROCESS)`).Scan(&anyProc); err != nil {
		rec.FileError(p, fmt.Errorf("%s: table ZPROCESS: %w", db.Name, err))
	}
	deleted := map[int64]bool{}
	err := iosmod.QuerySQL(ctx, db, `SELECT l.Z_PK, `+processOf+`, l.ZTIMESTAMP, l.ZWIFIIN, l.ZWIFIOUT, l.ZWWANIN, l.ZWWANOUT,
 p.Z_PK, p.ZFIRSTTIMESTAMP, p.ZTIMESTAMP, p.ZBUNDLENAME, p.ZPROCNAME
 FROM ZLIVEUSAGE l LEFT JOIN ZPROCESS p ON p.Z_PK = `+processOf+` ORDER BY l.Z_PK`,
		append(slices.Clone(liveColumns), "p_z_pk", "p_zfirsttimestamp", "p_ztimestamp", "p_zbundlename", "p_zprocname"), func(r iosmod.Row) error {
			pid := r.Int("zhasprocess")
			lt := iosmod.AppleTime(r, "ztimestamp")
			u := Usage{ProcID: pid, LiveID: r.Int("z_pk"), LiveTime: iosmod.ISO(lt), WifiIn: r.Float("zwifiin"), WifiOut: r.Float("zwifiout"),
				WWANIn: r.Float("zwwanin"), WWANOut: r.Float("zwwanout"), DB: p}
			if r.Null("p_z_pk") {
				if anyProc {
					u.Deleted = true
					u.ProcName = "[process row deleted]"
				}
			} else {
				u.ProcName, u.BundleID = r.Str("p_zprocname"), r.Str("p_zbundlename")
				u.FirstTime, u.Time = iosmod.ISO(iosmod.AppleTime(r, "p_zfirsttimestamp")), iosmod.ISO(iosmod.AppleTime(r, "p_ztimestamp"))
			}
			live(rec, &u, pid, lt, p, deleted)
			return nil
		})
	if err != nil {
		rec.FileError(p, err)
	}
	// The processes, each with whether a usage row names it; the names of
	// the files of a dump are listed once, when a process needs them.
	var binaries map[string]bool
	listed := false
	err = iosmod.QuerySQL(ctx, db, `SELECT p.Z_PK, p.ZFIRSTTIMESTAMP, p.ZTIMESTAMP, p.ZBUNDLENAME, p.ZPROCNAME,
 p.Z_PK IN (SELECT `+processOf+` FROM ZLIVEUSAGE l) FROM ZPROCESS p ORDER BY p.Z_PK`,
		append(slices.Clone(processColumns), "used"), func(r iosmod.Row) error {
			pr := procOf(r)
			pr.used = r.Int("used") != 0
			if !listed && pr.bundle == "" && pr.name != "" {
				binaries, listed = binaryNames(ctx, in, map[int64]*proc{pr.id: pr}), true
			}
			checkProc(rec, pr, p, binaries)
			return nil
		})
	if err != nil {
		rec.FileError(p, err)
	}
	var prev *proc
	err = iosmod.QuerySQL(ctx, db, `SELECT Z_PK, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME FROM ZPROCESS ORDER BY Z_PK`, processColumns, func(r iosmod.Row) error {
		pr := procOf(r)
		if prev != nil {
			gap(rec, prev, pr.id, p)
		}
		prev = pr
		return nil
	})
	if err != nil {
		rec.FileError(p, err)
	}
	return nil
}

// procOf reads a process row (columns named as processColumns).
func procOf(r iosmod.Row) *proc {
	return &proc{id: r.Int("z_pk"), name: r.Str("zprocname"), bundle: r.Str("zbundlename"),
		first: iosmod.AppleTime(r, "zfirsttimestamp"), last: iosmod.AppleTime(r, "ztimestamp")}
}

// live reports one usage row: its record, its event, and an alert for the
// first row of each deleted process.
func live(rec *module.Recorder, u *Usage, pid int64, lt time.Time, p string, deleted map[int64]bool) {
	rec.Record(*u)
	iosmod.Event(rec, lt, "live_usage", i18n.S("ios.datausage.event_live", "process", u.ProcName, "bundle", u.BundleID, "pid", strconv.FormatInt(int64(pid), 10), "in", iosmod.Whole(u.WWANIn), "out", iosmod.Whole(u.WWANOut)), p)
	if u.Deleted && !deleted[pid] {
		deleted[pid] = true
		rec.Flag(model.High, module.Where{Artifact: p, Time: lt, Record: *u},
			i18n.M("ios.datausage.deleted.title", "time", u.LiveTime, "pid", strconv.FormatInt(int64(pid), 10)),
			i18n.M("ios.datausage.deleted.reason"), i18n.M("ios.datausage.deleted.benign"))
	}
}

func checkProc(rec *module.Recorder, pr *proc, p string, binaries map[string]bool) {
	u := Usage{ProcID: pr.id, ProcName: pr.name, BundleID: pr.bundle, FirstTime: iosmod.ISO(pr.first), Time: iosmod.ISO(pr.last), DB: p}
	if !pr.used {
		rec.Record(u)
	}
	desc := i18n.M("ios.datausage.event_process", "process", pr.name, "bundle", pr.bundle, "pid", strconv.FormatInt(int64(pr.id), 10))
	iosmod.Event(rec, pr.first, "first_usage", desc, p)
	iosmod.Event(rec, pr.last, "current_usage", desc, p)
	w := module.Where{Artifact: p, Time: pr.first, Label: i18n.M("ios.what.process_network"), Record: u}
	rec.CheckProcess(pr.name, w)
	w.Label = i18n.M("ios.datausage.what_bundle")
	rec.CheckBundleID(pr.bundle, w)
	if binaries != nil && pr.bundle == "" && pr.name != "" && !binaries[pr.name] {
		msg := i18n.M("ios.datausage.no_binary.title", "process", pr.name)
		if len(pr.name) >= 15 {
			msg = i18n.M("ios.datausage.no_binary.title_truncated", "process", pr.name)
		}
		rec.Flag(model.Medium, w, msg, i18n.M("ios.datausage.no_binary.reason"), i18n.M("ios.datausage.no_binary.benign"))
	}
}

// gaps flags process ids missing between the smallest and largest.
func gaps(rec *module.Recorder, procs map[int64]*proc, ids []int64, p string) {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i := 1; i < len(ids); i++ {
		gap(rec, procs[ids[i-1]], ids[i], p)
	}
}

// gap flags the process ids missing between prev and next (1,000 at most).
func gap(rec *module.Recorder, prev *proc, next int64, p string) {
	for id := prev.id + 1; id < next && id < prev.id+1000; id++ {
		rec.Flag(model.Low, module.Where{Artifact: p, Time: prev.first, Record: map[string]any{"missing_proc_id": id, "previous_proc_id": prev.id, "previous_proc_name": prev.name}},
			i18n.M("ios.datausage.gap.title", "pid", strconv.FormatInt(int64(id), 10), "previous", prev.name, "time", iosmod.ISO(prev.first)),
			i18n.M("ios.datausage.gap.reason"), i18n.M("ios.datausage.gap.benign"))
	}
}

// binaryNames returns, for a filesystem dump in which some process has no
// bundle id, the set of file names present; nil otherwise.
func binaryNames(ctx context.Context, in *module.Input, procs map[int64]*proc) map[string]bool {
	if in.Acq.Kind != acquisition.IOSFilesystem {
		return nil
	}
	need := false
	for _, pr := range procs {
		need = need || (pr.bundle == "" && pr.name != "")
	}
	if !need {
		return nil
	}
	names := map[string]bool{}
	_ = fs.WalkDir(in.Acq.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable folder: pass over it
		}
		if ctx.Err() != nil {
			return fs.SkipAll
		}
		if !d.IsDir() {
			names[path.Base(p)] = true
		}
		return nil
	})
	return names
}
