package stix

import (
	"fmt"
	"sort"
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
	Description      string              `json:"description"`
	Pattern          string              `json:"pattern"`
	PatternType      string              `json:"pattern_type"`
	RelationshipType string              `json:"relationship_type"`
	SourceRef        string              `json:"source_ref"`
	TargetRef        string              `json:"target_ref"`
	ObjectRefs       []string            `json:"object_refs"`
	ExternalRefs     []ExternalReference `json:"external_references"`
	ValidFrom        string              `json:"valid_from"`
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

// Parse reads a STIX 2.1 bundle. It fails only when the data is not a
// bundle at all; per-object problems become warnings. Relationship and
// report references are resolved after the whole bundle has been read.
func Parse(data []byte) (*Bundle, error) {
	rb, err := decodeBundle(data)
	if err != nil {
		return nil, fmt.Errorf("not a STIX bundle: %w", err)
	}
	if rb.Type != "bundle" {
		return nil, fmt.Errorf("not a STIX bundle: type is %q", rb.Type)
	}
	b := &Bundle{ID: rb.ID}
	byID := make(map[string]*Object, len(rb.Objects))
	for i := range rb.Objects {
		o := &rb.Objects[i]
		if o.ID != "" {
			byID[o.ID] = o
		}
	}
	fams := map[string]map[string]bool{}
	refs := map[string]map[string]bool{}
	link := func(indID string, mal *Object) {
		if fams[indID] == nil {
			fams[indID] = map[string]bool{}
		}
		if mal.Name != "" {
			fams[indID][mal.Name] = true
		}
		for _, r := range mal.ExternalRefs {
			if r.URL != "" {
				if refs[indID] == nil {
					refs[indID] = map[string]bool{}
				}
				refs[indID][r.URL] = true
			}
		}
	}
	for i := range rb.Objects {
		o := &rb.Objects[i]
		switch o.Type {
		case "relationship":
			b.resolveRelationship(o, byID, link)
		case "report":
			b.resolveReport(o, byID, link, refs)
		case "malware":
			b.Malware = append(b.Malware, o.Name)
		}
	}
	sort.Strings(b.Malware)
	for i := range rb.Objects {
		o := &rb.Objects[i]
		if o.Type != "indicator" {
			continue
		}
		if o.PatternType != "" && o.PatternType != "stix" {
			b.Warnings = append(b.Warnings, fmt.Sprintf("%s: pattern type %q is not supported", o.ID, o.PatternType))
			continue
		}
		cs, err := ParsePattern(o.Pattern)
		if err != nil {
			b.Warnings = append(b.Warnings, fmt.Sprintf("%s: %v", o.ID, err))
			continue
		}
		b.Indicators = append(b.Indicators, Indicator{ID: o.ID, Pattern: o.Pattern, Comparisons: cs,
			Families: sortedKeys(fams[o.ID]), References: sortedKeys(refs[o.ID])})
	}
	return b, nil
}

func (b *Bundle) resolveRelationship(o *Object, byID map[string]*Object, link func(string, *Object)) {
	if o.RelationshipType != "indicates" {
		return
	}
	src, tgt := byID[o.SourceRef], byID[o.TargetRef]
	switch {
	case src == nil:
		b.Warnings = append(b.Warnings, fmt.Sprintf("%s: source_ref %s is not in the bundle", o.ID, o.SourceRef))
	case tgt == nil:
		b.Warnings = append(b.Warnings, fmt.Sprintf("%s: target_ref %s is not in the bundle", o.ID, o.TargetRef))
	case src.Type == "indicator" && (tgt.Type == "malware" || tgt.Type == "tool" || tgt.Type == "intrusion-set" || tgt.Type == "campaign"):
		link(src.ID, tgt)
	}
}

// resolveReport links every indicator a report refers to with every malware
// it refers to, and records the report's links.
func (b *Bundle) resolveReport(o *Object, byID map[string]*Object, link func(string, *Object), refs map[string]map[string]bool) {
	var mals []*Object
	var inds []string
	for _, r := range o.ObjectRefs {
		t := byID[r]
		if t == nil {
			b.Warnings = append(b.Warnings, fmt.Sprintf("%s: object_ref %s is not in the bundle", o.ID, r))
			continue
		}
		switch t.Type {
		case "malware", "tool", "intrusion-set", "campaign":
			mals = append(mals, t)
		case "indicator":
			inds = append(inds, t.ID)
		}
	}
	for _, id := range inds {
		for _, m := range mals {
			link(id, m)
		}
		for _, r := range o.ExternalRefs {
			if r.URL != "" {
				if refs[id] == nil {
					refs[id] = map[string]bool{}
				}
				refs[id][r.URL] = true
			}
		}
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
