package iosdata

import (
	"fmt"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// DataUsageSchema is the Core Data schema of DataUsage.sqlite and
// netusage.sqlite (the tables the modules read, as on iOS 14).
var DataUsageSchema = []string{
	`CREATE TABLE ZLIVEUSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKIND INTEGER, ZMETADATA INTEGER, ZTAG INTEGER, ZHASPROCESS INTEGER, ZBILLCYCLEEND TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZWIFIIN FLOAT, ZWIFIOUT FLOAT, ZWWANIN FLOAT, ZWWANOUT FLOAT )`,
	`CREATE TABLE ZPROCESS ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR )`,
	`CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER)`,
	`CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB)`,
}

// Proc is one planted ZPROCESS row.
type Proc struct {
	PK     int
	Name   string
	Bundle string
	First  time.Time
}

// DataUsageProcs are the planted processes: Pegasus' "bh" and
// "roleaccountd" without bundle ids, a clean daemon, Safari, and a gap at
// Z_PK 4 (a deleted row).
func DataUsageProcs() []Proc {
	return []Proc{
		{1, "MobileSafari", "com.apple.mobilesafari", At(0)},
		{2, PegasusProcess, "", At(time.Hour)},
		{3, CleanProcess, "", At(2 * time.Hour)},
		{5, PegasusProcess2, "", At(3 * time.Hour)},
		{6, "bhd", "", At(4 * time.Hour)}, // look-alike of "bh", and its binary is absent from the dump
	}
}

// DataUsageLive lists the ZLIVEUSAGE rows as (Z_PK, ZHASPROCESS); 7 refers
// to a process row that was deleted.
var DataUsageLive = [][2]int{{1, 1}, {2, 2}, {3, 3}, {4, 5}, {5, 7}, {6, 1}}

// DataUsageDB builds DataUsage.sqlite with the planted rows and filler
// processes each with filler/nproc live rows.
func DataUsageDB(procs []Proc, live [][2]int, filler int) []byte {
	return BuildDB(DataUsageSchema, DataUsageRows(procs, live, filler))
}

// DataUsageRows are the rows of DataUsageDB.
func DataUsageRows(procs []Proc, live [][2]int, filler int) []iosgen.Stmt {
	var st []iosgen.Stmt
	maxPK := 0
	for _, p := range procs {
		var b any = p.Bundle
		if p.Bundle == "" {
			b = nil
		}
		st = append(st, iosgen.Ins("ZPROCESS", "Z_PK, Z_ENT, Z_OPT, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME", p.PK, 9, 1, AppleSec(p.First), AppleSec(p.First.Add(time.Hour)), b, p.Name))
		maxPK = max(maxPK, p.PK)
	}
	lastLive := 0
	for i, l := range live {
		st = append(st, iosgen.Ins("ZLIVEUSAGE", "Z_PK, Z_ENT, Z_OPT, ZKIND, ZMETADATA, ZTAG, ZHASPROCESS, ZTIMESTAMP, ZWIFIIN, ZWIFIOUT, ZWWANIN, ZWWANOUT",
			l[0], 7, 1, 0, 0, 0, l[1], AppleSec(At(time.Duration(i)*time.Hour+30*time.Minute)), 1024.0*float64(i+1), 512.0, 2048.0, 128.0))
		lastLive = max(lastLive, l[0])
	}
	nproc := filler / 10
	for k := 0; k < nproc; k++ {
		st = append(st, iosgen.Ins("ZPROCESS", "Z_PK, Z_ENT, Z_OPT, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME", maxPK+k+1, 9, 1,
			AppleSec(At(time.Duration(k)*time.Second)), AppleSec(At(time.Duration(k)*time.Second+time.Hour)), fmt.Sprintf("com.example.app%d", k), fmt.Sprintf("App%d", k)))
	}
	for k := 0; k < filler && nproc > 0; k++ {
		st = append(st, iosgen.Ins("ZLIVEUSAGE", "Z_PK, Z_ENT, Z_OPT, ZKIND, ZMETADATA, ZTAG, ZHASPROCESS, ZTIMESTAMP, ZWIFIIN, ZWIFIOUT, ZWWANIN, ZWWANOUT",
			lastLive+k+1, 7, 1, 0, 0, 0, maxPK+1+k%nproc, AppleSec(At(time.Duration(k)*time.Second)), 1.0, 2.0, 3.0, 4.0))
	}
	return st
}

// DataUsage returns DataUsage.sqlite (backup and dump) plus, for the dump
// only, the binary of the clean daemon (so only "bhd", "bh" and
// "roleaccountd" have missing binaries).
func DataUsage(filler int) []iosgen.File {
	db := DataUsageDB(DataUsageProcs(), DataUsageLive, filler)
	return []iosgen.File{
		{Domain: "WirelessDomain", RelativePath: "Library/Databases/DataUsage.sqlite", Path: "private/var/wireless/Library/Databases/DataUsage.sqlite", Data: db},
		{Path: "System/Library/PrivateFrameworks/AccountsDaemon.framework/Support/" + CleanProcess, Data: []byte("\xcf\xfa\xed\xfe")},
	}
}

// NetUsage returns netusage.sqlite (dumps only).
func NetUsage() []iosgen.File {
	db := DataUsageDB(DataUsageProcs(), DataUsageLive, 0)
	return []iosgen.File{
		{Path: "private/var/networkd/db/netusage.sqlite", Data: db},
		{Path: "System/Library/PrivateFrameworks/AccountsDaemon.framework/Support/" + CleanProcess, Data: []byte("\xcf\xfa\xed\xfe")},
	}
}
