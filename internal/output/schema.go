package output

import (
	"embed"
	"path"
	"strings"
)

// Schemas holds the JSON Schema (draft 2020-12) of every JSON file of a
// format 3 (or 2) result folder, and of each line of its JSON-lines files; see
// SchemaFor and docs/results.md.
//
//go:embed schema/*.schema.json
var Schemas embed.FS

// SchemaFor names the schema (a file of Schemas) of the file at rel, a
// slash-separated path inside a result folder; for JSON-lines files the
// schema is that of one line. It is "" for files without one (report.html,
// the CSV timeline).
func SchemaFor(rel string) string {
	switch {
	case rel == InfoFile:
		return "schema/info.schema.json"
	case rel == AlertsFile:
		return "schema/alerts.schema.json"
	case rel == TimelineJSON:
		return "schema/event.schema.json"
	case rel == ObservablesFile:
		return "schema/observable.schema.json"
	case strings.HasPrefix(rel, ModulesDir+"/") && strings.HasSuffix(rel, recordsSuffix):
		return "schema/record.schema.json"
	case strings.HasPrefix(rel, ModulesDir+"/") && path.Ext(rel) == ".json":
		return "schema/module.schema.json"
	}
	return ""
}
