package html

import (
	"fmt"
	"sort"
	"time"

	"github.com/spyscan/spyscan/internal/family"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
)

// The first screen of a report tells the whole story: every indicator hit
// grouped by family, then by indicator, then by where it was seen; every
// heuristic alert grouped by what it says. The alert-by-alert list stays
// below, folded.

// familyView is one malware family the indicators matched.
type familyView struct {
	ID            string // anchor
	Name          string // readable, translated where the catalog has it
	Vendor        string
	Category      string // family.Category name, also a CSS class
	CategoryLabel string
	CategoryDesc  string
	Class         string // CSS class of the highest alert level
	LevelLabel    string
	Indicators    []indicatorView
	Sightings     int // alerts naming the family
	Inputs        int // distinct inputs they came from
	Span          string
	info          family.Info
	level         model.Level
}

// indicatorView is one indicator of a family and every place it was seen.
type indicatorView struct {
	Value     string
	TypeLabel string
	Partial   bool
	Class     string
	Count     int
	Where     []whereView
	level     model.Level
}

// whereView is one place (input, artifact) where a finding was seen.
type whereView struct {
	Input    string
	Module   string
	Artifact string
	Label    string   // the field the value was read from
	Observed []string // values seen, when they differ from the indicator
	More     int      // values not listed
	Count    int
	First    stamp
	Last     stamp
	first    time.Time
	last     time.Time
}

// signView is one kind of heuristic alert (same level and same text).
type signView struct {
	ID         string
	Class      string
	LevelLabel string
	Title      string
	Reason     string
	Benign     string
	Count      int
	Where      []whereView
	level      model.Level
}

const (
	maxObservedShown = 3  // values listed per place
	maxWhereShown    = 12 // places listed per indicator or sign
)

type whereKey struct{ input, module, artifact string }

// whereSet collects the places of one finding in the order first seen.
type whereSet struct {
	order []whereKey
	by    map[whereKey]*whereView
	seen  map[whereKey]map[string]bool
}

func newWhereSet() *whereSet {
	return &whereSet{by: map[whereKey]*whereView{}, seen: map[whereKey]map[string]bool{}}
}

func (s *whereSet) add(c *i18n.Catalog, a *model.Alert, observed, label string) {
	k := whereKey{a.Input, a.Module, a.Artifact}
	w := s.by[k]
	if w == nil {
		w = &whereView{Input: a.Input, Module: a.Module, Artifact: a.Artifact, Label: label}
		s.by[k] = w
		s.seen[k] = map[string]bool{}
		s.order = append(s.order, k)
	}
	w.Count++
	if !a.Time.IsZero() {
		if w.first.IsZero() || a.Time.Before(w.first) {
			w.first = a.Time
		}
		if a.Time.After(w.last) {
			w.last = a.Time
		}
	}
	if observed != "" && !s.seen[k][observed] {
		s.seen[k][observed] = true
		if len(w.Observed) < maxObservedShown {
			w.Observed = append(w.Observed, observed)
		} else {
			w.More++
		}
	}
}

// list returns the places, most sightings first, stamped in each input's
// time zone, at most maxWhereShown (the rest summed into the last one's More
// is not useful: the caller says how many were left out).
func (s *whereSet) list(z zones) (out []whereView, total int) {
	for _, k := range s.order {
		w := *s.by[k]
		w.First, w.Last = z.stamp(w.first, w.Input), z.stamp(w.last, w.Input)
		out = append(out, w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	total = len(out)
	if len(out) > maxWhereShown {
		out = out[:maxWhereShown]
	}
	return out, total
}

// findings groups the indicator hits by family and indicator, and the
// heuristic alerts by what they say.
func (v *view) findings(r *model.Report, c *i18n.Catalog, z zones) {
	type indKey struct{ typ, value string }
	type famAcc struct {
		fv      *familyView
		order   []indKey
		inds    map[indKey]*indicatorView
		where   map[indKey]*whereSet
		inputs  map[string]bool
		lo, hi  time.Time
		sources map[string]bool
	}
	fams := map[string]*famAcc{}
	var famOrder []string
	type signKey struct {
		level model.Level
		title string
	}
	signs := map[signKey]*signView{}
	signWhere := map[signKey]*whereSet{}
	var signOrder []signKey

	for i := range r.Alerts {
		a := &r.Alerts[i]
		if a.Match == nil {
			k := signKey{a.Level, c.Text(a.MessageMsg, a.Message)}
			s := signs[k]
			if s == nil {
				s = &signView{Title: k.title, Reason: c.Text(a.ReasonMsg, a.Reason), Benign: c.Text(a.BenignMsg, a.Benign),
					Class: levelClass(a.Level), LevelLabel: levelLabel(c, a.Level), level: a.Level}
				signs[k], signWhere[k] = s, newWhereSet()
				signOrder = append(signOrder, k)
			}
			s.Count++
			v.SignsAll++
			signWhere[k].add(c, a, "", "")
			continue
		}
		names := a.Match.Families()
		if len(names) == 0 {
			names = []string{""} // indicators of no named family
		}
		for _, name := range names {
			f := fams[name]
			if f == nil {
				f = &famAcc{fv: &familyView{}, inds: map[indKey]*indicatorView{}, where: map[indKey]*whereSet{},
					inputs: map[string]bool{}, sources: map[string]bool{}}
				fams[name] = f
				famOrder = append(famOrder, name)
			}
			for _, p := range a.Match.Sources {
				if p.Family == name || name == "" {
					f.sources[p.Source] = true
				}
			}
			f.fv.Sightings++
			f.inputs[a.Input] = true
			f.fv.level = max(f.fv.level, a.Level)
			if !a.Time.IsZero() {
				if f.lo.IsZero() || a.Time.Before(f.lo) {
					f.lo = a.Time
				}
				if a.Time.After(f.hi) {
					f.hi = a.Time
				}
			}
			k := indKey{a.Match.Type, a.Match.Indicator}
			ind := f.inds[k]
			if ind == nil {
				ind = &indicatorView{Value: a.Match.Indicator, TypeLabel: label(c, "type.", a.Match.Type),
					Partial: a.Match.Partial, level: a.Level}
				f.inds[k], f.where[k] = ind, newWhereSet()
				f.order = append(f.order, k)
			}
			ind.Count++
			ind.level = max(ind.level, a.Level)
			observed := a.Match.Observed
			if observed == a.Match.Indicator {
				observed = ""
			}
			lbl := ""
			if w, ok := a.MessageMsg.Arg("what"); ok && w.Kind == i18n.ArgMsg && w.Msg != nil {
				lbl = c.Render(*w.Msg)
			}
			f.where[k].add(c, a, observed, lbl)
		}
	}

	for _, name := range famOrder {
		f := fams[name]
		srcs := make([]string, 0, len(f.sources))
		for s := range f.sources {
			srcs = append(srcs, s)
		}
		fv := f.fv
		fv.info = family.Lookup(name, srcs)
		fv.Name = fv.info.Display
		switch {
		case name == "":
			fv.Name = c.T("family.unnamed")
			fv.info.Category = family.Other
		case fv.info.Key != "" && c.Has("family.name."+fv.info.Key):
			fv.Name = c.T("family.name." + fv.info.Key)
		}
		fv.Vendor = fv.info.Vendor
		fv.Category = fv.info.Category.String()
		fv.CategoryLabel = c.T("family.category." + fv.Category)
		fv.CategoryDesc = c.T("family.category." + fv.Category + ".desc")
		fv.Class, fv.LevelLabel = levelClass(fv.level), levelLabel(c, fv.level)
		fv.Inputs = len(f.inputs)
		fv.Span = span2(f.lo, f.hi)
		for _, k := range f.order {
			ind := f.inds[k]
			ind.Class = levelClass(ind.level)
			ind.Where, _ = f.where[k].list(z)
			fv.Indicators = append(fv.Indicators, *ind)
		}
		sort.SliceStable(fv.Indicators, func(i, j int) bool {
			a, b := fv.Indicators[i], fv.Indicators[j]
			if a.level != b.level {
				return a.level > b.level
			}
			return a.Count > b.Count
		})
		v.Families = append(v.Families, *fv)
	}
	weight := map[string]int{}
	for _, fv := range v.Families {
		weight[fv.info.Name] = int(fv.level)*1_000_000 + fv.Sightings
	}
	infos := make([]family.Info, len(v.Families))
	byName := map[string]familyView{}
	for i, fv := range v.Families {
		infos[i] = fv.info
		byName[fv.info.Name] = fv
	}
	family.Sort(infos, func(i family.Info) int { return weight[i.Name] })
	v.Families = v.Families[:0]
	for i, in := range infos {
		fv := byName[in.Name]
		fv.ID = fmt.Sprintf("family-%d", i+1)
		v.Families = append(v.Families, fv)
	}

	for _, k := range signOrder {
		s := signs[k]
		s.Where, _ = signWhere[k].list(z)
		v.Signs = append(v.Signs, *s)
	}
	sort.SliceStable(v.Signs, func(i, j int) bool {
		a, b := v.Signs[i], v.Signs[j]
		if a.level != b.level {
			return a.level > b.level
		}
		return a.Count > b.Count
	})
	for i := range v.Signs {
		v.Signs[i].ID = fmt.Sprintf("sign-%d", i+1)
	}
}

// span2 writes a time range by its days: "2023-09-09" or
// "2023-09-09 – 2024-05-20".
func span2(lo, hi time.Time) string {
	if lo.IsZero() {
		return ""
	}
	a, b := lo.UTC().Format("2006-01-02"), hi.UTC().Format("2006-01-02")
	if a == b {
		return a
	}
	return a + " – " + b
}

// familyNames lists the families found, most severe first, for headlines.
func (v *view) familyNames() []string {
	var out []string
	for _, f := range v.Families {
		if f.info.Name != "" {
			out = append(out, f.Name)
		}
	}
	return out
}
