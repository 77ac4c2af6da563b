package dumpsys

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

type got struct {
	sections []string // "kind name cmd ended truncated"
	lines    map[string][]string
}

func run(t testing.TB, text string) (got, Stats) {
	g := got{lines: map[string][]string{}}
	st, err := Split(context.Background(), strings.NewReader(text), Visitor{
		Line: func(s *Section, line []byte) error {
			key := s.Name
			if s.Parent != nil {
				key = s.Parent.Name + "/" + s.Name
			}
			g.lines[key] = append(g.lines[key], string(line))
			return nil
		},
		End: func(s *Section) error {
			g.sections = append(g.sections, fmt.Sprintf("%d %s|%s|%s ended=%v truncated=%v", s.Kind, s.Priority, s.Name, s.Command, s.Ended, s.Truncated))
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return g, st
}

const dash = "-------------------------------------------------------------------------------"

func TestSplitDumpsys(t *testing.T) {
	text := strings.Join([]string{
		"Currently running services:",
		"  appops",
		dash,
		"DUMP OF SERVICE appops:",
		"Current AppOps Service state:",
		"  Uid 0:",
		"--------- 0.053s was the duration of dumpsys appops, ending at: 2022-03-29 23:14:27",
		dash,
		"DUMP OF SERVICE package:",
		"Packages:",
		"  " + strings.Repeat("-", 50) + " not a separator",
		dash, // old dumpsys: no duration line, the dashes end the section
		"DUMP OF SERVICE CRITICAL batterystats:",
		"line a",
		dash,
		"still batterystats",
		"",
	}, "\n")
	g, st := run(t, text)
	want := []string{
		"2 |appops| ended=true truncated=false",
		"2 |package| ended=true truncated=false",
		"2 CRITICAL|batterystats| ended=false truncated=true",
	}
	if strings.Join(g.sections, "\n") != strings.Join(want, "\n") {
		t.Fatalf("sections:\n%s\nwant:\n%s", strings.Join(g.sections, "\n"), strings.Join(want, "\n"))
	}
	if fmt.Sprint(g.lines["appops"]) != "[Current AppOps Service state:   Uid 0:]" {
		t.Errorf("appops lines %q", g.lines["appops"])
	}
	if len(g.lines["package"]) != 2 {
		t.Errorf("package lines %q", g.lines["package"])
	}
	// A dashes line inside a section followed by content is content.
	if fmt.Sprint(g.lines["batterystats"]) != "[line a "+dash+" still batterystats]" {
		t.Errorf("batterystats lines %q", g.lines["batterystats"])
	}
	if fmt.Sprint(g.lines[""]) != "[Currently running services:   appops]" {
		t.Errorf("preamble %q", g.lines[""])
	}
	if st.Sections != 3 || st.Bytes != int64(len(text)) {
		t.Errorf("stats %+v", st)
	}
}

func TestSplitBugreportBlocks(t *testing.T) {
	text := strings.Join([]string{
		"========================================================",
		"== dumpstate: 2024-05-01 10:00:00",
		"------ SYSTEM PROPERTIES (getprop) ------",
		"[ro.build.version.sdk]: [34]",
		"------ 0.012s was the duration of 'SYSTEM PROPERTIES' ------",
		"------ DUMPSYS (/system/bin/dumpsys -T 30000) ------",
		dash,
		"DUMP OF SERVICE adb:",
		"ADB MANAGER STATE (dumpsys adb):",
		"--------- 0.001s was the duration of dumpsys adb, ending at: 2024-05-01 10:00:01",
		"------ 1.2s was the duration of 'DUMPSYS' ------",
		"------ LOGCAT (logcat -v threadtime -d *:v) ------",
		"05-01 09:59:59.000  1000  1000 I tag: message",
	}, "\r\n")
	g, _ := run(t, text)
	want := []string{
		"1 |SYSTEM PROPERTIES|getprop ended=true truncated=false",
		"2 |adb| ended=true truncated=false",
		"1 |DUMPSYS|/system/bin/dumpsys -T 30000 ended=true truncated=false",
		"1 |LOGCAT|logcat -v threadtime -d *:v ended=false truncated=true",
	}
	if strings.Join(g.sections, "\n") != strings.Join(want, "\n") {
		t.Fatalf("sections:\n%s\nwant:\n%s", strings.Join(g.sections, "\n"), strings.Join(want, "\n"))
	}
	if fmt.Sprint(g.lines["SYSTEM PROPERTIES"]) != "[[ro.build.version.sdk]: [34]]" {
		t.Errorf("props %q", g.lines["SYSTEM PROPERTIES"])
	}
	if fmt.Sprint(g.lines["DUMPSYS/adb"]) != "[ADB MANAGER STATE (dumpsys adb):]" {
		t.Errorf("adb %q", g.lines)
	}
}

// TestCutSectionReported: the lines of a matching section and of the
// sections nested in it are Within it, and a section the end of the file
// cuts is marked Truncated, with an error naming the file and the section.
func TestCutSectionReported(t *testing.T) {
	text := "DUMP OF SERVICE accessibility:\nUser state[\n  Enabled services:{{a/b}}\n"
	match := IsService("accessibility")
	var lines []string
	var cut []*Section
	_, err := Split(context.Background(), strings.NewReader(text), Visitor{
		Line: func(s *Section, l []byte) error {
			if Within(s, match) {
				lines = append(lines, string(l))
			}
			return nil
		},
		End: func(s *Section) error {
			if match(s) && s.Truncated {
				cut = append(cut, s)
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cut) != 1 || len(lines) != 2 {
		t.Fatalf("cut %d lines %q", len(cut), lines)
	}
	e := TruncatedError("dumpstate.txt", cut[0])
	if !strings.Contains(e.Error(), "dumpstate.txt") || !strings.Contains(e.Error(), "accessibility") {
		t.Errorf("error %v", e)
	}
}

func TestLongLineBounded(t *testing.T) {
	text := "DUMP OF SERVICE x:\n" + strings.Repeat("a", MaxLine+300<<10) + "\nafter\n"
	g, st := run(t, text)
	if st.LongLines != 1 || len(g.lines["x"]) != 2 || len(g.lines["x"][0]) != MaxLine || g.lines["x"][1] != "after" {
		t.Fatalf("long=%d lines=%d", st.LongLines, len(g.lines["x"]))
	}
}

func TestStopAndCancel(t *testing.T) {
	text := "DUMP OF SERVICE x:\na\nb\n"
	n := 0
	_, err := Split(context.Background(), strings.NewReader(text), Visitor{Line: func(*Section, []byte) error {
		n++
		return ErrStop
	}})
	if err != nil || n != 1 {
		t.Fatalf("err %v n %d", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Split(ctx, strings.NewReader(text), Visitor{}); err == nil {
		t.Fatal("cancelled context not reported")
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("DUMP OF SERVICE a:\nx\n" + dash + "\nDUMP OF SERVICE b:\n")
	f.Add("------ SYSTEM PROPERTIES (getprop) ------\n[a]: [b]\n------ 0.1s was the duration of 'SYSTEM PROPERTIES' ------\n")
	f.Add("------ ((( ------\n------ ) ------\nDUMP OF SERVICE :\n-------- was the duration of dumpsys\n")
	f.Fuzz(func(t *testing.T, s string) {
		var n int
		st, err := Split(context.Background(), strings.NewReader(s), Visitor{
			Line: func(*Section, []byte) error { n++; return nil },
			End:  func(sec *Section) error { return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		if st.Bytes != int64(len(s)) || n > st.Lines {
			t.Fatalf("stats %+v n %d len %d", st, n, len(s))
		}
	})
}
