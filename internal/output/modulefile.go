package output

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/model"
)

// moduleFile is the shape of modules/input<N>/<module>.json.
type moduleFile struct {
	model.ModuleResult
	Version     int    `json:"module_version,omitempty"`
	RecordsFile string `json:"records_file,omitempty"` // beside this file; absent when no record
}

// ModuleDir is the folder of the module files of the input at position i
// (0-based) of a scan: modules/input1 for the first, whatever the number of
// inputs.
func ModuleDir(i int) string { return filepath.Join(ModulesDir, fmt.Sprintf("input%d", i+1)) }

// ModuleWriter streams one module's records to
// modules/input<N>/<module>.records.jsonl.gz while the module runs, then
// writes the module's result to modules/input<N>/<module>.json.
type ModuleWriter struct {
	dir, name string
	version   int
	rec       *gzFile
	n         int
	err       error
}

// NewModuleWriter prepares the files of module (version as recorded in
// info.json) on the input at position input of a scan, in result folder
// dir, making the input's module folder.
func NewModuleWriter(dir string, input int, module string, version int) (*ModuleWriter, error) {
	if err := MakeModuleDir(dir, input); err != nil {
		return nil, err
	}
	return ModuleWriterIn(dir, input, module, version), nil
}

// MakeModuleDir makes the module folder of the input at position input
// of a scan in result folder dir, private (MkdirPrivate).
func MakeModuleDir(dir string, input int) error {
	d := filepath.Join(dir, ModuleDir(input))
	if err := MkdirPrivate(d); err != nil {
		return fmt.Errorf("%s: %w", d, err)
	}
	return nil
}

// ModuleWriterIn is NewModuleWriter for a module folder already made
// (MakeModuleDir): a scan makes each input's folder once, not once per
// module (a stat and a chmod of the same folder by every module, 33 on an
// iOS backup, contending for its lock with the files being created in it).
func ModuleWriterIn(dir string, input int, module string, version int) *ModuleWriter {
	return &ModuleWriter{dir: filepath.Join(dir, ModuleDir(input)), name: module, version: version}
}

// Record appends one record (already JSON, on one line). It is the
// Recorder's record sink.
func (m *ModuleWriter) Record(b json.RawMessage) error {
	if m.err != nil {
		return m.err
	}
	if m.rec == nil {
		m.rec, m.err = createGzip(filepath.Join(m.dir, m.name+recordsSuffix))
		if m.err != nil {
			return m.err
		}
	}
	m.rec.Write(b)
	m.err = m.rec.WriteByte('\n')
	m.n++
	return m.err
}

// Finish closes the records and writes the module result (without records).
func (m *ModuleWriter) Finish(res model.ModuleResult) error {
	res.Records, res.Timeline = nil, nil
	mf := moduleFile{ModuleResult: res, Version: m.version}
	var cerr error
	if m.rec != nil {
		mf.RecordsFile = m.name + recordsSuffix
		cerr = m.rec.close()
	}
	return errors.Join(m.err, cerr, writeJSON(filepath.Join(m.dir, m.name+".json"), mf))
}
