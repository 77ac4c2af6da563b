// Command mvtkeys lists, per module, the keys of MVT's JSON results that
// spyscan's records lack: it reads an MVT output folder (`mvt-ios
// check-backup -o MVT ...`, `mvt-android check-... -o MVT ...`) and a
// spyscan result folder made from the same input, and prints for each MVT
// results file the keys no spyscan record of the matching module has,
// telling those spyscan keeps under another name (docs/mvt-parity.md,
// "Record fields") from those really missing, and those MVT only ever
// writes as null or "" here (spyscan leaves empty values out). MVT's
// results that are one object keyed by an entry's field (aqf_settings'
// namespaces, webkit_session_resource_log's databases) are matched to
// spyscan records by that field (mvtparity.KeyedBy).
//
//	go run ./bench/mvtkeys MVT_OUT SPYSCAN_OUT [INPUT]   (INPUT: input1 by default)
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/mvtparity"
)

// moduleOf maps MVT's results file names (without .json) to spyscan
// module names where they differ.
var moduleOf = map[string]string{
	"interaction_c":          "interactionc",
	"aqf_get_prop":           "aqf_getprop",
	"id_status_cache":        "idstatuscache",
	"root_binaries":          "aqf_root_binaries",
	"sms_attachments":        "sms_attachments",
	"osanalytics_addaily":    "osanalytics_addaily",
	"locationd_clients":      "locationd_clients",
	"configuration_profiles": "configuration_profiles",
}

// skip are MVT's files that are not one module's records.
var skip = map[string]bool{"info": true, "alerts": true, "command": true}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: mvtkeys MVT_OUT SPYSCAN_OUT [INPUT]")
		os.Exit(2)
	}
	input := "input1"
	if len(os.Args) > 3 {
		input = os.Args[3]
	}
	if err := run(os.Args[1], filepath.Join(os.Args[2], "modules", input)); err != nil {
		fmt.Fprintln(os.Stderr, "mvtkeys:", err)
		os.Exit(1)
	}
}

func run(mvtDir, spyDir string) error {
	files, err := filepath.Glob(filepath.Join(mvtDir, "*.json"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if skip[name] || strings.HasSuffix(name, "_detected") {
			continue
		}
		mod := name
		if m, ok := moduleOf[name]; ok {
			mod = m
		}
		if _, err := os.Stat(filepath.Join(spyDir, mod+".json")); err != nil {
			if _, err := os.Stat(filepath.Join(spyDir, "backup_"+mod+".json")); err == nil {
				mod = "backup_" + mod // Android's SMS of a backup.ab (androidqf's included)
			}
		}
		mvtKeys, nonNull, n, err := mvtRecordKeys(f)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		spyKeys, m, err := spyRecordKeys(filepath.Join(spyDir, mod+".records.jsonl.gz"), mvtparity.KeyedBy[mod].Field)
		if err != nil {
			return fmt.Errorf("%s: %w", mod, err)
		}
		report(name, mod, n, m, mvtKeys, nonNull, spyKeys)
		if mvtparity.KeyedBy[mod].AnyValue {
			// the rows under each key hold the fields
			rowKeys, rowNonNull, rows, err := mvtRowKeys(f)
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			report(name+" (rows)", mod, rows, m, rowKeys, rowNonNull, spyKeys)
		}
	}
	return nil
}

// mvtRowKeys returns the keys of the rows of an MVT results file that is
// one object of lists of rows, as mvtRecordKeys does for a list.
func mvtRowKeys(path string) ([]string, map[string]bool, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, 0, err
	}
	var lists map[string][]json.RawMessage
	if err := json.Unmarshal(b, &lists); err != nil {
		return nil, nil, 0, err
	}
	var rows []json.RawMessage
	for _, l := range lists {
		rows = append(rows, l...)
	}
	all, err := json.Marshal(rows)
	if err != nil {
		return nil, nil, 0, err
	}
	return keysOf(all)
}

// report prints one module's line: MVT's keys spyscan lacks, split.
func report(name, mod string, n, m int, mvtKeys []string, nonNull, spyKeys map[string]bool) {
	var missing, nullOnly, ren []string
	for _, k := range mvtKeys {
		if spyKeys[k] {
			continue
		}
		if to, ok := mvtparity.Renamed[mod][k]; ok && spyKeys[to] {
			ren = append(ren, k+"->"+to)
			continue
		}
		if kb := mvtparity.KeyedBy[mod]; kb.Field != "" && spyKeys[kb.Field+"="+k] {
			ren = append(ren, k+"->"+kb.Field+"="+k)
			continue
		} else if kb.AnyValue && spyKeys[kb.Field] {
			ren = append(ren, k+"->"+kb.Field+"=…")
			continue
		}
		if nonNull[k] {
			missing = append(missing, k)
		} else {
			nullOnly = append(nullOnly, k)
		}
	}
	fmt.Printf("%s (%d records) / %s (%d records): %d MVT keys, %d missing, %d null-only, %d renamed\n",
		name, n, mod, m, len(mvtKeys), len(missing), len(nullOnly), len(ren))
	for _, l := range []struct {
		what string
		keys []string
	}{{"missing", missing}, {"null or \"\" in MVT's output only (spyscan leaves empty values out)", nullOnly}, {"renamed", ren}} {
		if len(l.keys) > 0 {
			fmt.Printf("  %s: %s\n", l.what, strings.Join(l.keys, " "))
		}
	}
}

// mvtRecordKeys returns the keys of an MVT results file's records (a JSON
// array of objects, or one object), in first-seen order, which of them are
// ever non-null, and the number of records.
func mvtRecordKeys(path string) ([]string, map[string]bool, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, 0, err
	}
	return keysOf(b)
}

// keysOf is mvtRecordKeys of a results file's bytes.
func keysOf(b []byte) ([]string, map[string]bool, int, error) {
	var recs []map[string]json.RawMessage
	if err := json.Unmarshal(b, &recs); err != nil {
		var one map[string]json.RawMessage
		if err2 := json.Unmarshal(b, &one); err2 != nil {
			return nil, nil, 0, err
		}
		recs = append(recs, one)
	}
	var keys []string
	seen, nonNull := map[string]bool{}, map[string]bool{}
	for _, r := range recs {
		ks := make([]string, 0, len(r))
		for k := range r {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
			if v := string(r[k]); v != "null" && v != `""` {
				nonNull[k] = true
			}
		}
	}
	return keys, nonNull, len(recs), nil
}

// spyRecordKeys returns the top-level keys of a spyscan records file and
// its number of records (none when the file is absent); with keyedBy, also
// keyedBy=VALUE for each text value of that field (mvtparity.KeyedBy).
func spyRecordKeys(path, keyedBy string) (map[string]bool, int, error) {
	keys := map[string]bool{}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return keys, 0, nil
	} else if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	sc := bufio.NewScanner(z)
	sc.Buffer(nil, 64<<20)
	n := 0
	for sc.Scan() {
		var r map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, 0, fmt.Errorf("%s: line %d: %w", path, n+1, err)
		}
		for k, v := range r {
			keys[k] = true
			nested(keys, k, v)
		}
		var val string
		if keyedBy != "" && json.Unmarshal(r[keyedBy], &val) == nil {
			keys[keyedBy+"="+val] = true
		}
		n++
	}
	return keys, n, sc.Err()
}

// nested adds the fields of v, when it is an object or a list of objects,
// as k.field and k[].field.
func nested(keys map[string]bool, k string, v json.RawMessage) {
	var o map[string]json.RawMessage
	if json.Unmarshal(v, &o) == nil {
		for f := range o {
			keys[k+"."+f] = true
		}
		return
	}
	var l []map[string]json.RawMessage
	if json.Unmarshal(v, &l) == nil {
		for _, o := range l {
			for f := range o {
				keys[k+"[]."+f] = true
			}
		}
	}
}
