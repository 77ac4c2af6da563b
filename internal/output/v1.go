package output

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
)

// Format 1 (before format versions): timeline.json and observables.json
// as JSON arrays, modules/<prefix><module>.json with the records inline,
// prefix "" for one input and "input<N>_" for several. It is read into the
// format 2 model as it is loaded.
const (
	v1TimelineJSON = "timeline.json"
	v1Observables  = "observables.json"
)

type v1ModuleFile struct {
	Records []json.RawMessage `json:"records"`
	model.ModuleResult
}

func loadV1(dir string, in info) (*model.Report, []ObservableRecord, error) {
	r := &model.Report{Info: in.ScanInfo, Verdict: in.Verdict}
	if err := readJSON(filepath.Join(dir, AlertsFile), &r.Alerts); err != nil {
		return nil, nil, err
	}
	var events model.Events
	if err := readJSON(filepath.Join(dir, v1TimelineJSON), &events); err != nil {
		return nil, nil, err
	}
	r.Timeline = events
	var obs []ObservableRecord
	if err := readJSON(filepath.Join(dir, v1Observables), &obs); err != nil {
		return nil, nil, err
	}
	sort.SliceStable(obs, func(i, j int) bool { return compareObservables(&obs[i], &obs[j]) < 0 })
	names, err := filepath.Glob(filepath.Join(dir, ModulesDir, "*.json"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		var mf v1ModuleFile
		if err := readJSON(n, &mf); err != nil {
			return nil, nil, err
		}
		r.Modules = append(r.Modules, mf.ModuleResult)
	}
	return r, obs, nil
}

// v1Input is the input position of a format 1 module file name.
func v1Input(name string) (int, string) {
	if rest, ok := strings.CutPrefix(name, "input"); ok {
		if num, mod, ok := strings.Cut(rest, "_"); ok {
			if n, err := strconv.Atoi(num); err == nil && n > 0 {
				return n - 1, mod
			}
		}
	}
	return 0, name
}

// CopyModules copies the module files of result folder src into the new
// result folder dst, in the current format: files of a format 2 or 3
// folder as they are (their module files are the same), those of a format
// 1 folder rewritten (records streamed out).
func CopyModules(src, dst string) error {
	v, err := FolderVersion(src)
	if err != nil {
		return err
	}
	if v >= 2 {
		files, err := ModuleFiles(src)
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := copyFile(filepath.Join(src, f), filepath.Join(dst, f)); err != nil {
				return err
			}
		}
		return nil
	}
	names, err := filepath.Glob(filepath.Join(src, ModulesDir, "*.json"))
	if err != nil {
		return err
	}
	for _, n := range names {
		var mf v1ModuleFile
		if err := readJSON(n, &mf); err != nil {
			return err
		}
		input, mod := v1Input(strings.TrimSuffix(filepath.Base(n), ".json"))
		mw, err := NewModuleWriter(dst, input, mod, 0)
		if err != nil {
			return err
		}
		for _, rec := range mf.Records {
			mw.Record(rec)
		}
		if err := mw.Finish(mf.ModuleResult); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	if err := MkdirPrivate(filepath.Dir(to)); err != nil {
		return fmt.Errorf("%s: %w", filepath.Dir(to), err)
	}
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	defer in.Close()
	return writeFile(to, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}
