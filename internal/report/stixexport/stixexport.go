// Package stixexport owns the STIX 2.1 export of a report: every indicator
// hit becomes a sighting of the indicator it matched (referenced by its
// original STIX id, with its pattern), with the observed-data and the
// cyber-observable objects of the value seen, all created by a spyscan
// identity. Ids are derived from content (UUID version 5), so the same
// report always gives the same bundle. Heuristic alerts have no indicator to
// be a sighting of and are left out; the HTML report and the MISP export
// carry them.
package stixexport

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/report/detid"
)

const tsLayout = "2006-01-02T15:04:05.000Z"

// Object is one STIX object, as a JSON object.
type Object map[string]any

// Bundle is a STIX 2.1 bundle.
type Bundle struct {
	Type    string   `json:"type"`
	ID      string   `json:"id"`
	Objects []Object `json:"objects"`
}

// Write writes the bundle of r as indented JSON.
func Write(w io.Writer, r *model.Report) error {
	b := Build(r)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return fmt.Errorf("stix export: %w", err)
	}
	return nil
}

type builder struct {
	r        *model.Report
	created  string
	identity string
	seen     map[string]bool
	inds     []Object
	rest     []Object
}

// Build makes the bundle of r's indicator hits.
func Build(r *model.Report) *Bundle {
	gen := r.Info.GeneratedAt.UTC()
	b := &builder{r: r, created: gen.Format(tsLayout), seen: map[string]bool{}}
	ident := b.identityObject()
	alerts := append([]model.Alert(nil), r.Alerts...)
	model.SortAlerts(alerts)
	for _, a := range alerts {
		if a.Match != nil {
			b.alert(a)
		}
	}
	sort.SliceStable(b.inds, func(i, j int) bool { return b.inds[i]["id"].(string) < b.inds[j]["id"].(string) })
	objs := append([]Object{ident}, b.inds...)
	objs = append(objs, b.rest...)
	return &Bundle{Type: "bundle", ID: "bundle--" + detid.Of("bundle", r.Info.IndicatorDigest, b.created, idsOf(objs)).String(), Objects: objs}
}

func idsOf(objs []Object) string {
	ids := make([]string, len(objs))
	for i, o := range objs {
		ids[i] = o["id"].(string)
	}
	return strings.Join(ids, ",")
}

func (b *builder) identityObject() Object {
	b.identity = "identity--" + detid.Of("identity", "spyscan").String()
	return Object{"type": "identity", "spec_version": "2.1", "id": b.identity,
		"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
		"name": "spyscan", "identity_class": "system",
		"description": "spyscan, an open-source tool that looks for traces of spyware on phones and in network captures"}
}

func (b *builder) add(o Object) string {
	id := o["id"].(string)
	if !b.seen[id] {
		b.seen[id] = true
		if o["type"] == "indicator" {
			b.inds = append(b.inds, o)
		} else {
			b.rest = append(b.rest, o)
		}
	}
	return id
}

func (b *builder) when(a model.Alert) string {
	if a.Time.IsZero() {
		return b.created
	}
	return a.Time.UTC().Format(tsLayout)
}

func (b *builder) alert(a model.Alert) {
	m := a.Match
	scos := observables(m.Type, m.Observed)
	var refs []string
	for _, o := range scos {
		refs = append(refs, b.add(o))
	}
	at := b.when(a)
	key := []string{a.Input, a.Module, a.Artifact, at, m.Type, m.Observed, string(a.Record)}
	od := Object{"type": "observed-data", "spec_version": "2.1",
		"id":      "observed-data--" + detid.Of(append([]string{"observed-data"}, key...)...).String(),
		"created": b.created, "modified": b.created, "created_by_ref": b.identity,
		"first_observed": at, "last_observed": at, "number_observed": 1, "object_refs": refs,
		"x_spyscan_module": a.Module, "x_spyscan_artifact": a.Artifact}
	if a.Input != "" {
		od["x_spyscan_input"] = a.Input
	}
	odID := b.add(od)
	for _, ind := range b.indicators(m) {
		indID := b.add(ind)
		s := Object{"type": "sighting", "spec_version": "2.1",
			"id":      "sighting--" + detid.Of(append([]string{"sighting", indID}, key...)...).String(),
			"created": b.created, "modified": b.created, "created_by_ref": b.identity,
			"sighting_of_ref": indID, "observed_data_refs": []string{odID}, "count": 1,
			"description":       a.Message,
			"x_spyscan_level":   a.Level.String(),
			"x_spyscan_match":   m.How,
			"x_spyscan_partial": m.Partial}
		if !a.Time.IsZero() {
			s["first_seen"], s["last_seen"] = at, at
		}
		b.add(s)
	}
}

// indicators returns the indicator objects a match refers to: one per
// distinct original STIX id; when a source gave no id (a plain list), one
// made by spyscan from the indicator value.
func (b *builder) indicators(m *model.Match) []Object {
	byID := map[string]Object{}
	var order []string
	for _, p := range m.Sources {
		id, pattern := p.IndicatorID, p.Pattern
		if !strings.HasPrefix(id, "indicator--") {
			id = "indicator--" + detid.Of("indicator", m.Type, m.Indicator).String()
		}
		if pattern == "" {
			pattern = Pattern(m.Type, m.Indicator)
		}
		o := byID[id]
		if o == nil {
			day := b.created
			if t, err := time.Parse("2006-01-02", p.Date); err == nil {
				day = t.UTC().Format(tsLayout)
			}
			o = Object{"type": "indicator", "spec_version": "2.1", "id": id, "created": day, "modified": day,
				"name": m.Indicator, "pattern": pattern, "pattern_type": "stix", "valid_from": day,
				"indicator_types": []string{"malicious-activity"}}
			byID[id] = o
			order = append(order, id)
		}
		if p.Family != "" {
			o["labels"] = appendNew(o["labels"], p.Family)
		}
		o["external_references"] = appendRefs(o["external_references"], p)
	}
	out := make([]Object, 0, len(order))
	for _, id := range order {
		out = append(out, byID[id])
	}
	return out
}

func appendNew(v any, s string) []string {
	l, _ := v.([]string)
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

func appendRefs(v any, p model.Provenance) []map[string]string {
	l, _ := v.([]map[string]string)
	add := func(r map[string]string) {
		for _, x := range l {
			if fmt.Sprint(x) == fmt.Sprint(r) {
				return
			}
		}
		l = append(l, r)
	}
	src := map[string]string{"source_name": p.Source, "description": strings.TrimSpace(p.File + " " + p.Commit)}
	if strings.HasPrefix(p.URL, "https://") || strings.HasPrefix(p.URL, "http://") {
		src["url"] = p.URL
	}
	add(src)
	for _, ref := range p.References {
		if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
			add(map[string]string{"source_name": "report", "url": ref})
		}
	}
	return l
}

// Pattern is the STIX pattern of an indicator of spyscan type t and value v.
func Pattern(t, v string) string {
	q := "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	switch t {
	case "domain":
		return "[domain-name:value = " + q + "]"
	case "url":
		return "[url:value = " + q + "]"
	case "ip":
		if strings.Contains(v, ":") {
			return "[ipv6-addr:value = " + q + "]"
		}
		return "[ipv4-addr:value = " + q + "]"
	case "email":
		return "[email-addr:value = " + q + "]"
	case "process":
		return "[process:name = " + q + "]"
	case "file-name":
		return "[file:name = " + q + "]"
	case "file-path":
		return "[file:path = " + q + "]"
	case "sha256", "sha1", "md5":
		return "[file:hashes." + hashName(v) + " = " + q + "]"
	case "app-id":
		return "[app:id = " + q + "]"
	case "app-cert-sha256", "app-cert-sha1", "app-cert-md5":
		return "[app:cert." + strings.TrimPrefix(t, "app-cert-") + " = " + q + "]"
	case "tls-cert-sha256", "tls-cert-sha1":
		return "[x509-certificate:hashes." + hashName(v) + " = " + q + "]"
	case "configuration-profile":
		return "[configuration-profile:id = " + q + "]"
	case "android-property":
		return "[android-property:name = " + q + "]"
	default:
		return "[x-spyscan-" + t + ":value = " + q + "]"
	}
}

func hashName(v string) string {
	switch len(v) {
	case 32:
		return "MD5"
	case 40:
		return "'SHA-1'"
	default:
		return "'SHA-256'"
	}
}

func hashKey(v string) string {
	switch len(v) {
	case 32:
		return "MD5"
	case 40:
		return "SHA-1"
	default:
		return "SHA-256"
	}
}

// observables returns the cyber-observable objects of a value seen, the
// primary one first, with the ids STIX 2.1 prescribes (UUIDv5 over the
// id-contributing properties).
func observables(t, v string) []Object {
	sco := func(typ string, props map[string]any) Object {
		o := Object{"type": typ, "spec_version": "2.1"}
		for k, x := range props {
			o[k] = x
		}
		contrib, _ := json.Marshal(props)
		o["id"] = typ + "--" + detid.V5(detid.STIXSCO, string(contrib)).String()
		return o
	}
	switch t {
	case "domain":
		return []Object{sco("domain-name", map[string]any{"value": v})}
	case "url":
		return []Object{sco("url", map[string]any{"value": v})}
	case "ip":
		if strings.Contains(v, ":") {
			return []Object{sco("ipv6-addr", map[string]any{"value": v})}
		}
		return []Object{sco("ipv4-addr", map[string]any{"value": v})}
	case "email":
		return []Object{sco("email-addr", map[string]any{"value": v})}
	case "process":
		f := sco("file", map[string]any{"name": path.Base(v)})
		p := Object{"type": "process", "spec_version": "2.1", "image_ref": f["id"],
			"id": "process--" + detid.Of("process", v).String()}
		if strings.Contains(v, "/") {
			p["command_line"] = v
		}
		return []Object{p, f}
	case "file-name":
		return []Object{sco("file", map[string]any{"name": v})}
	case "file-path":
		dir, name := path.Split(v)
		d := sco("directory", map[string]any{"path": strings.TrimSuffix(dir, "/")})
		if dir == "" {
			return []Object{sco("file", map[string]any{"name": v})}
		}
		f := sco("file", map[string]any{"name": name, "parent_directory_ref": d["id"]})
		return []Object{f, d}
	case "sha256", "sha1", "md5":
		return []Object{sco("file", map[string]any{"hashes": map[string]string{hashKey(v): v}})}
	case "tls-cert-sha256", "tls-cert-sha1", "app-cert-sha256", "app-cert-sha1", "app-cert-md5":
		return []Object{sco("x509-certificate", map[string]any{"hashes": map[string]string{hashKey(v): v}})}
	default: // app ids, profiles, properties, JA3/JA4: no STIX type of their own
		o := sco("software", map[string]any{"name": v})
		o["x_spyscan_type"] = t
		return []Object{o}
	}
}
