package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/model"
)

// writeInfo writes info.json. The files of an input the scan spooled
// (model.Input.Spooled) are streamed from disk into its "files" list, so
// that a backup of 100,000s of files is never held as one list: the rest
// of info.json is encoded with one marker file in their place, and the
// marker's element is replaced by the spooled files, each encoded with the
// indentation the encoder gave the marker. The bytes are those of encoding
// the whole list at once.
func writeInfo(path string, in info) error {
	var spooled []model.FileList
	in.Inputs = append([]model.Input(nil), in.Inputs...)
	for i := range in.Inputs {
		if l := in.Inputs[i].Spooled; l != nil && l.Len() > 0 {
			in.Inputs[i].Files = []model.InputFile{{Path: spoolMarker(len(spooled))}}
			spooled = append(spooled, l)
		}
	}
	if len(spooled) == 0 {
		return writeJSON(path, in)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(in); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeFile(path, func(w io.Writer) error { return spliceFiles(w, buf.Bytes(), spooled) })
}

// spoolMarker is the path of the marker file standing for spooled list k
// (a NUL cannot be in a real path).
func spoolMarker(k int) string { return fmt.Sprintf("\x00spooled-files-%d", k) }

// spliceFiles writes doc with each marker element replaced by its list.
func spliceFiles(w io.Writer, doc []byte, lists []model.FileList) error {
	for k, l := range lists {
		quoted, _ := json.Marshal(spoolMarker(k))
		m := bytes.Index(doc, quoted)
		if m < 0 {
			return fmt.Errorf("%s: spooled file list %d: marker not found", filepath.Base(InfoFile), k)
		}
		start := bytes.LastIndexByte(doc[:m], '{')
		line := bytes.LastIndexByte(doc[:start], '\n') + 1
		indent := string(doc[line:start])
		end := bytes.Index(doc[m:], []byte("\n"+indent+"}"))
		if start < 0 || end < 0 {
			return fmt.Errorf("%s: spooled file list %d: marker not found", filepath.Base(InfoFile), k)
		}
		end += m + len(indent) + 2
		if _, err := w.Write(doc[:start]); err != nil {
			return err
		}
		if err := writeFileElements(w, l, indent); err != nil {
			return err
		}
		doc = doc[end:]
	}
	_, err := w.Write(doc)
	return err
}

// writeFileElements writes the files of l as the elements of an indented
// JSON array whose elements start at indent.
func writeFileElements(w io.Writer, l model.FileList, indent string) error {
	sep := []byte(",\n" + indent)
	first := true
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(indent, "  ")
	return l.Each(func(f *model.InputFile) error {
		buf.Reset()
		if !first {
			buf.Write(sep)
		}
		first = false
		if err := enc.Encode(f); err != nil {
			return err
		}
		b := buf.Bytes()
		_, err := w.Write(b[:len(b)-1]) // the encoder's newline
		return err
	})
}
