package output

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
)

// ModuleWriter streams one module's records to modules/<name>.json while
// the module runs, then appends the module's result. The file is one JSON
// object: {"records": [...], "module": ..., "status": ..., ...}.
type ModuleWriter struct {
	path string
	f    *os.File
	w    *bufio.Writer
	n    int
	err  error
}

// ModuleFileName is the file name of a module's results; prefix is "" for a
// single-input scan, else a per-input prefix such as "input2_".
func ModuleFileName(prefix, module string) string {
	return prefix + module + ".json"
}

// NewModuleWriter creates dir/modules/<file>.
func NewModuleWriter(dir, file string) (*ModuleWriter, error) {
	d := filepath.Join(dir, ModulesDir)
	if err := MkdirPrivate(d); err != nil {
		return nil, fmt.Errorf("%s: %w", d, err)
	}
	p := filepath.Join(d, file)
	f, err := Create(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	_, err = w.WriteString("{\n  \"records\": [")
	return &ModuleWriter{path: p, f: f, w: w, err: err}, nil
}

// Record appends one record (already JSON). It is the Recorder's sink.
func (m *ModuleWriter) Record(b json.RawMessage) error {
	if m.err != nil {
		return m.err
	}
	if m.n > 0 {
		m.w.WriteByte(',')
	}
	m.w.WriteString("\n    ")
	_, m.err = m.w.Write(b)
	m.n++
	return m.err
}

// Finish appends the module result (without records) and closes the file.
func (m *ModuleWriter) Finish(res model.ModuleResult) error {
	res.Records = nil
	body, err := json.MarshalIndent(res, "", "  ")
	if err == nil && m.err == nil {
		if m.n > 0 {
			m.w.WriteString("\n  ")
		}
		m.w.WriteString("],\n")
		m.w.WriteString(strings.TrimPrefix(string(body), "{\n"))
		m.w.WriteString("\n")
	}
	if err := errors.Join(m.err, err, m.w.Flush(), m.f.Close()); err != nil {
		return fmt.Errorf("%s: %w", m.path, err)
	}
	return nil
}
