// Package family owns what spyscan knows about the malware families named by
// indicator sources: which kind of threat each is (mercenary spyware, a
// forensic extraction tool, stalkerware...), the order in which a report
// lists them (the most dangerous first), a readable name and the vendor
// where it is publicly documented. Reports and the terminal summary read it;
// the texts themselves are catalog messages (family.*).
package family

import (
	"sort"
	"strings"
)

// Category is the kind of threat a family is. Lower values are listed first.
type Category int

// Categories, from the most to the least severe for the person targeted.
const (
	Mercenary   Category = iota // spyware sold to governments (Pegasus, Predator...)
	Forensic                    // phone extraction tools (Cellebrite...)
	Stalkerware                 // apps installed by someone close to spy on the owner
	Other                       // anything else an indicator source names
)

var categoryNames = [...]string{"mercenary", "forensic", "stalkerware", "other"}

// String is the category's stable name, also the suffix of its catalog
// keys (family.category.<name>, family.category.<name>.desc).
func (c Category) String() string {
	if c < Mercenary || c > Other {
		return "other"
	}
	return categoryNames[c]
}

// Info describes one family.
type Info struct {
	Name     string   // as the indicator source names it, e.g. "OperationTriangulation"
	Display  string   // readable name, e.g. "Operation Triangulation"
	Vendor   string   // who makes it, where public ("NSO Group"); "" when unknown
	Category Category // kind of threat
	// Key is set when the catalog has a translated name for the family
	// (family.name.<key>), used instead of Display.
	Key string
}

type known struct {
	display, vendor, key string
	cat                  Category
}

// families are the families whose kind or readable name differs from what
// their source implies. Vendors are named only where public reporting
// (Amnesty Tech, Citizen Lab, Google TAG, Kaspersky, Lookout) names them.
var families = map[string]known{
	"pegasus":                  {display: "Pegasus", vendor: "NSO Group"},
	"predator":                 {display: "Predator", vendor: "Intellexa"},
	"kingspawn":                {display: "KingSpawn", vendor: "QuaDream"},
	"candiru":                  {display: "Candiru", vendor: "Candiru"},
	"rcslab":                   {display: "RCS Lab"},
	"operationtriangulation":   {display: "Operation Triangulation"},
	"mercenaryspywarecampaign": {display: "Mercenary spyware campaign", key: "mercenary_campaign"},
	"wyrmspy_dragonegg":        {display: "WyrmSpy / DragonEgg"},
	"cellebrite":               {display: "Cellebrite", vendor: "Cellebrite", cat: Forensic},
	"metasploit":               {display: "Metasploit", cat: Other},
}

// stalkerwareSources are the indicator sources that list stalkerware only.
var stalkerwareSources = map[string]bool{"stalkerware-indicators": true}

// Lookup describes family name, as named by the given indicator sources
// (the Provenance.Source of the indicators that named it). A family only a
// stalkerware source names is stalkerware; any other is taken as mercenary
// spyware, unless the table above says otherwise.
func Lookup(name string, sources []string) Info {
	in := Info{Name: name, Display: name, Category: Mercenary}
	if len(sources) > 0 {
		all := true
		for _, s := range sources {
			if !stalkerwareSources[s] {
				all = false
			}
		}
		if all {
			in.Category = Stalkerware
		}
	}
	if k, ok := families[strings.ToLower(name)]; ok {
		in.Display, in.Vendor, in.Key = k.display, k.vendor, k.key
		if k.cat != Mercenary {
			in.Category = k.cat
		}
	}
	return in
}

// Sort orders families as a report lists them: by category, then by the
// given weight (higher first: e.g. the highest alert level, then the number
// of sightings), then by name.
func Sort(fams []Info, weight func(Info) int) {
	sort.SliceStable(fams, func(i, j int) bool {
		a, b := fams[i], fams[j]
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		if wa, wb := weight(a), weight(b); wa != wb {
			return wa > wb
		}
		return strings.ToLower(a.Display) < strings.ToLower(b.Display)
	})
}
