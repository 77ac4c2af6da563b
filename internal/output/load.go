package output

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/spyscan/spyscan/internal/model"
)

// moduleFile is the shape of modules/<name>.json.
type moduleFile struct {
	Records []json.RawMessage `json:"records"`
	model.ModuleResult
}

// Load reads a result folder written by Write and the module writers.
// Module timelines are not stored per module; the merged timeline is.
func Load(dir string) (*model.Report, []ObservableRecord, error) {
	var in info
	if err := readJSON(filepath.Join(dir, InfoFile), &in); err != nil {
		return nil, nil, err
	}
	r := &model.Report{Info: in.ScanInfo, Verdict: in.Verdict}
	if err := readJSON(filepath.Join(dir, AlertsFile), &r.Alerts); err != nil {
		return nil, nil, err
	}
	if err := readJSON(filepath.Join(dir, TimelineJSON), &r.Timeline); err != nil {
		return nil, nil, err
	}
	var obs []ObservableRecord
	if err := readJSON(filepath.Join(dir, ObservablesFile), &obs); err != nil {
		return nil, nil, err
	}
	names, err := filepath.Glob(filepath.Join(dir, ModulesDir, "*.json"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		var mf moduleFile
		if err := readJSON(n, &mf); err != nil {
			return nil, nil, err
		}
		mf.ModuleResult.Records = mf.Records
		r.Modules = append(r.Modules, mf.ModuleResult)
	}
	return r, obs, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
