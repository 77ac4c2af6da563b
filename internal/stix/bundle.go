package stix

import (
	"fmt"
	"sort"
	"strings"
)

// ExternalReference is a STIX external_references entry.
type ExternalReference struct {
	SourceName string `json:"source_name"`
	URL        string `json:"url"`
}

// Object holds the fields of a STIX object spyscan reads; others are ignored.
type Object struct {
	Type             string              `json:"type"`
	ID               string              `json:"id"`
	Name             string              `json:"name"`
	Pattern          string              `json:"pattern"`
	PatternType      string              `json:"pattern_type"`
	RelationshipType string              `json:"relationship_type"`
	SourceRef        string              `json:"source_ref"`
	TargetRef        string              `json:"target_ref"`
	ObjectRefs       []string            `json:"object_refs"`
	ExternalRefs     []ExternalReference `json:"external_references"`
	ValidFrom        string              `json:"valid_from"`

	// wrongTypes names the fields read above whose value had another JSON
	// type than STIX gives them (an array where a string was expected...):
	// the value is skipped and the object kept, with a warning.
	wrongTypes []string
}

// Indicator is a parsed STIX indicator with the families it was linked to.
type Indicator struct {
	ID          string
	Pattern     string
	Comparisons []Comparison
	Families    []string // malware names, sorted
	References  []string // report or malware links
}

// Bundle is the result of reading one bundle.
type Bundle struct {
	ID         string
	Indicators []Indicator
	Malware    []string // malware names in the bundle, sorted
	// Warnings are problems that did not stop the read (an unsupported
	// pattern, a dangling reference), one line each.
	Warnings []string
}

type rawBundle struct {
	Type    string   `json:"type"`
	ID      string   `json:"id"`
	Objects []Object `json:"objects"`
}

// slim copies of the objects Parse needs, so a 5 MB bundle is not held as
// thousands of full Objects.
type (
	malwareInfo struct {
		name string
		refs []string
	}
	indicatorInfo struct{ id, pattern, patternType string }
	relInfo       struct{ id, relType, src, tgt string }
	reportInfo    struct {
		id         string
		objectRefs []string
		refs       []string
	}
)

type collected struct {
	warnings []string
	types    map[string]string // id → STIX type
	malware  map[string]*malwareInfo
	inds     []indicatorInfo
	rels     []relInfo
	reports  []reportInfo
	names    []string // malware names
}

func extURLs(rs []ExternalReference) []string {
	var out []string
	for _, r := range rs {
		if r.URL != "" {
			out = append(out, r.URL)
		}
	}
	return out
}

func (c *collected) add(o *Object) {
	if len(o.wrongTypes) > 0 {
		c.warnings = append(c.warnings, fmt.Sprintf("%s: %s of another JSON type than STIX gives; ignored",
			objectName(o), strings.Join(o.wrongTypes, ", ")))
	}
	if o.ID != "" {
		c.types[o.ID] = o.Type
	}
	switch o.Type {
	case "malware", "tool", "intrusion-set", "campaign":
		c.malware[o.ID] = &malwareInfo{name: o.Name, refs: extURLs(o.ExternalRefs)}
		if o.Type == "malware" {
			c.names = append(c.names, o.Name)
		}
	case "indicator":
		c.inds = append(c.inds, indicatorInfo{o.ID, o.Pattern, o.PatternType})
	case "relationship":
		c.rels = append(c.rels, relInfo{o.ID, o.RelationshipType, o.SourceRef, o.TargetRef})
	case "report":
		c.reports = append(c.reports, reportInfo{o.ID, append([]string(nil), o.ObjectRefs...), extURLs(o.ExternalRefs)})
	}
}

// Parse reads a STIX 2.1 bundle. It fails only when the data is not a
// bundle at all; per-object problems become warnings. Relationship and
// report references are resolved after the whole bundle has been read.
func Parse(data []byte) (*Bundle, error) {
	c := &collected{types: map[string]string{}, malware: map[string]*malwareInfo{}}
	rb, err := decodeBundle(data, c.add)
	if err != nil {
		return nil, fmt.Errorf("not a STIX bundle: %w", err)
	}
	if rb.Type != "bundle" {
		return nil, fmt.Errorf("not a STIX bundle: type is %q", rb.Type)
	}
	b := &Bundle{ID: rb.ID, Malware: c.names, Warnings: c.warnings}
	sort.Strings(b.Malware)
	fams := map[string]map[string]bool{}
	refs := map[string]map[string]bool{}
	for _, r := range c.rels {
		b.resolveRelationship(r, c, fams, refs)
	}
	for _, r := range c.reports {
		b.resolveReport(r, c, fams, refs)
	}
	for _, o := range c.inds {
		if o.patternType != "" && o.patternType != "stix" {
			b.Warnings = append(b.Warnings, fmt.Sprintf("%s: pattern type %q is not supported", o.id, o.patternType))
			continue
		}
		cs, err := ParsePattern(o.pattern)
		if err != nil {
			b.Warnings = append(b.Warnings, fmt.Sprintf("%s: %v", o.id, err))
			continue
		}
		b.Indicators = append(b.Indicators, Indicator{ID: o.id, Pattern: o.pattern, Comparisons: cs,
			Families: sortedKeys(fams[o.id]), References: sortedKeys(refs[o.id])})
	}
	return b, nil
}

// objectName names an object in a warning: its id, else its type.
func objectName(o *Object) string {
	switch {
	case o.ID != "":
		return o.ID
	case o.Type != "":
		return "an object of type " + o.Type + " without id"
	}
	return "an object without id"
}

func addTo(m map[string]map[string]bool, key string, vals ...string) {
	for _, v := range vals {
		if v == "" {
			continue
		}
		if m[key] == nil {
			m[key] = map[string]bool{}
		}
		m[key][v] = true
	}
}

func (b *Bundle) resolveRelationship(r relInfo, c *collected, fams, refs map[string]map[string]bool) {
	if r.relType != "indicates" {
		return
	}
	srcType, srcOK := c.types[r.src]
	_, tgtOK := c.types[r.tgt]
	switch {
	case !srcOK:
		b.Warnings = append(b.Warnings, fmt.Sprintf("%s: source_ref %s is not in the bundle", r.id, r.src))
	case !tgtOK:
		b.Warnings = append(b.Warnings, fmt.Sprintf("%s: target_ref %s is not in the bundle", r.id, r.tgt))
	case srcType == "indicator" && c.malware[r.tgt] != nil:
		m := c.malware[r.tgt]
		addTo(fams, r.src, m.name)
		addTo(refs, r.src, m.refs...)
	}
}

// resolveReport links every indicator a report refers to with every malware
// it refers to, and records the report's links.
func (b *Bundle) resolveReport(r reportInfo, c *collected, fams, refs map[string]map[string]bool) {
	var mals []*malwareInfo
	var inds []string
	for _, ref := range r.objectRefs {
		t, ok := c.types[ref]
		switch {
		case !ok:
			b.Warnings = append(b.Warnings, fmt.Sprintf("%s: object_ref %s is not in the bundle", r.id, ref))
		case c.malware[ref] != nil:
			mals = append(mals, c.malware[ref])
		case t == "indicator":
			inds = append(inds, ref)
		}
	}
	for _, id := range inds {
		for _, m := range mals {
			addTo(fams, id, m.name)
			addTo(refs, id, m.refs...)
		}
		addTo(refs, id, r.refs...)
	}
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
