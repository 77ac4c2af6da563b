package modules_test

import (
	"github.com/spyscan/spyscan/internal/acquisition"
	"reflect"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/modules/dbinfo"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestDBInfoGolden(t *testing.T) {
	modtest.GoldenCases(t, dbinfo.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) || len(res.Records) != 3 || len(res.Timeline) != 2 {
			t.Errorf("records %d alerts %d events %d", len(res.Records), len(res.Alerts), len(res.Timeline))
		}
	})
}

func TestDBInfoCut(t *testing.T) {
	modtest.CutSection(t, dbinfo.New(), "DUMP OF SERVICE dbinfo:", "Connection pool for /data/x.db:\n  Most recently executed operations:\n")
}

func FuzzDBInfoParser(f *testing.F) {
	f.Add("Connection pool for /data/user/0/a.b/databases/x.db:\n      Most recently executed operations:\n        0: [2024-05-20 13:58:01.114] [Pid:(1)]prepare took 0ms - succeeded, sql=\"SELECT 1\", path=x\n  x\n")
	f.Fuzz(func(t *testing.T, s string) {
		var p dbinfo.Parser
		for _, l := range strings.Split(s, "\n") {
			p.Line(l)
		}
		for _, op := range p.Ops {
			if op.Path == "" {
				t.Fatal(op)
			}
		}
	})
}

// The operations of every connection of a pool are read: those of the
// non-primary connections follow the primary's, below a less indented
// header (spyscan stopped at the first connection until 2026-12, as MVT
// until 2026-08). An operation on an attached database names its own path,
// which is checked too.
func TestDBInfoConnections(t *testing.T) {
	const dump = `Applications Database Info:

** Database info for pid 4242 [com.example.app] **

Connection pool for /data/user/0/com.example.app/databases/main.db:
  Open: true
  Max connections: 4
  Available primary connection:
    Connection #0:
      isPrimaryConnection: true
      onlyAllowReadOnlyOperations: false
      Most recently executed operations:
        0: [2024-05-20 13:58:01.114] [Pid:(4242)]executeForChangedRowCount took 1ms - succeeded, sql="INSERT INTO t VALUES (1)", path=/data/user/0/com.example.app/databases/main.db
  Available non-primary connections:
    Connection #1:
      isPrimaryConnection: false
      onlyAllowReadOnlyOperations: true
      Most recently executed operations:
        0: [2024-05-20 13:58:02.200] [Pid:(4242)]executeForCursorWindow took 0ms - succeeded, sql="SELECT * FROM spy.queue", path=/data/user/0/` + androiddata.StalkerAppID + `/databases/queue.db
        1: [2024-05-20 13:58:02.100] [Pid:(4242)]prepare took 0ms - succeeded, sql="SELECT 1", path=/data/user/0/com.example.app/databases/main.db
  Acquired connections:
  Connection waiters:

** Database info for pid 5000 [com.example.other] **

Connection pool for /data/user/0/com.example.other/databases/o.db:
  Available primary connection:
    Connection #0:
      Most recently executed operations:
        0: [05-20 13:40:10.500] executeForLong took 0ms - succeeded, sql="PRAGMA page_count;", path=/data/user/0/com.example.other/databases/o.db
`
	var p dbinfo.Parser
	for _, l := range strings.Split(dump, "\n") {
		p.Line(l)
	}
	main := "/data/user/0/com.example.app/databases/main.db"
	want := []dbinfo.Operation{
		{Time: "2024-05-20 13:58:01.114", PID: "4242", Action: "executeForChangedRowCount", SQL: "INSERT INTO t VALUES (1)", Path: main},
		{Time: "2024-05-20 13:58:02.200", PID: "4242", Action: "executeForCursorWindow", SQL: "SELECT * FROM spy.queue", Path: main,
			OpPath: "/data/user/0/" + androiddata.StalkerAppID + "/databases/queue.db"},
		{Time: "2024-05-20 13:58:02.100", PID: "4242", Action: "prepare", SQL: "SELECT 1", Path: main},
		{Time: "05-20 13:40:10.500", Action: "executeForLong", SQL: "PRAGMA page_count;", Path: "/data/user/0/com.example.other/databases/o.db"},
	}
	if !reflect.DeepEqual(p.Ops, want) {
		t.Errorf("operations\n got %+v\nwant %+v", p.Ops, want)
	}
	res, err := modtest.Run(t, dbinfo.New(), acquisition.AndroidBugreport, map[string][]byte{
		"main_entry.txt": []byte("dumpstate.txt\n"),
		"dumpstate.txt":  []byte("== dumpstate: 2024-05-20 14:03:11\nDUMP OF SERVICE dbinfo:\n" + dump)})
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantAlert(t, res, model.Critical, true, androiddata.StalkerAppID)
}
