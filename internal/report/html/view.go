package html

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/report/explain"
	"github.com/spyscan/spyscan/internal/selftest"
)

// Limits that keep the report readable; the JSON files hold everything.
const (
	maxRecordBytes   = 4096 // per alert record shown
	maxEventsListed  = 500  // timeline rows listed under the chart
	maxFilesPerInput = 2000 // input files listed in the chain of custody
	// maxHeadlineFamilies families are named in the headline; the others
	// are counted ("and 4 other threats") and named in the sentence below.
	maxHeadlineFamilies = 3
)

// Helpline is an organisation that helps people targeted by spyware.
type Helpline struct {
	Key string // message key prefix: helpline.<key>.name / .desc
	URL string
}

// Helplines are listed in every report, in this order.
var Helplines = []Helpline{
	{Key: "accessnow", URL: "https://www.accessnow.org/help/"},
	{Key: "amnesty", URL: "https://securitylab.amnesty.org/get-help/"},
}

type view struct {
	T             *i18n.Catalog
	Lang          string
	Verdict       string // CSS class and message key part
	Headline      string
	Meaning       string
	Steps         []string
	Causes        []causeView
	ProblemsTitle string
	Helplines     []helplineView
	Case          string
	Generated     string
	// GeneratedISO is the generation time in RFC 3339. Every line that
	// shows it carries data-generated_at, so that tools comparing two runs
	// can drop those lines in any language.
	GeneratedISO string
	Counts       []levelCount
	Total        int
	// The first screen: what was scanned, the indicators' date, what was
	// found grouped by family and by kind of sign.
	Identity      []identityView
	IndicatorDate string
	StaleDays     int // > 0 when the indicators were older than model.StaleIndicators
	Families      []familyView
	Signs         []signView
	SignsAll      int // heuristic alerts, all kinds together
	Groups        []alertGroup
	Chart         chart
	Events        []eventView
	EventsAll     int
	CopiedAll     int // events dated by when the acquisition was copied (left out of the chart)
	Info          *model.ScanInfo
	Inputs        []inputView
	Sources       []model.IndicatorSource
	SourcesTotal  int // indicators the sources list; Info.IndicatorCount distinct values were checked
	Modules       []moduleView
	ModProblems   []moduleView // partial and failed modules, shown unfolded
	ModSum        string
	Multi         bool // several inputs: show which one each module read
}

type helplineView struct{ Name, Desc, URL string }

// causeView is one cause of the problems of a scan, with its fix.
type causeView struct {
	Text, Fix string
	Files     int
	Examples  []explain.Example
}

// errView is one file a module could not read, with the kind of failure.
type errView struct {
	model.FileError
	KindLabel string
}

type levelCount struct {
	Class, Label string
	N            int
}

type alertGroup struct {
	Class, Label string
	Alerts       []alertView
}

type alertView struct {
	N         int
	Message   string
	Module    string
	Input     string
	Artifact  string
	Time      stamp
	Record    string
	Truncated bool
	Match     *model.Match
	How       string // translated match kind
	TypeLabel string // translated indicator type
	Families  string
	Sources   []sourceView
	Reason    string
	Benign    string
}

type sourceView struct {
	model.Provenance
	Links []link
}

type link struct {
	Text string
	URL  string // empty when not a safe http(s) address
}

type stamp struct {
	UTC, Local string // Local is empty when the device time zone is unknown
}

type eventView struct {
	Time        stamp
	Module      string
	Event       string
	Description string
	Level       string // CSS class, "" when no alert refers to the event
	LevelLabel  string
	Copied      bool // dated by when the acquisition was copied (see copyTimes)
}

type inputView struct {
	model.Input
	Files     []model.InputFile
	FilesAll  int
	Facts     []fact
	KindLabel string
}

type moduleView struct {
	model.ModuleResult
	StatusLabel string
	Class       string
	Errs        []errView
}

// zones resolves the device time zone of each input.
type zones struct {
	byInput map[string]*time.Location
	only    *time.Location // used when the alert or event names no input
}

func newZones(r *model.Report) zones {
	z := zones{byInput: map[string]*time.Location{}}
	for _, in := range r.Info.Inputs {
		if in.TZ == "" {
			continue
		}
		loc, err := time.LoadLocation(in.TZ)
		if err != nil {
			continue
		}
		z.byInput[in.Path] = loc
	}
	if len(r.Info.Inputs) == 1 {
		z.only = z.byInput[r.Info.Inputs[0].Path]
	}
	return z
}

func (z zones) stamp(t time.Time, input string) stamp {
	if t.IsZero() {
		return stamp{}
	}
	s := stamp{UTC: t.UTC().Format("2006-01-02 15:04:05 UTC")}
	loc := z.byInput[input]
	if input == "" {
		loc = z.only
	}
	if loc != nil {
		lt := t.In(loc)
		s.Local = lt.Format("2006-01-02 15:04:05 MST") + " (" + loc.String() + ")"
	}
	return s
}

func levelClass(l model.Level) string { return strings.ToLower(l.String()) }

func levelLabel(c *i18n.Catalog, l model.Level) string { return c.T("level." + levelClass(l)) }

func buildView(r *model.Report, c *i18n.Catalog, p *TimelinePass) *view {
	z := newZones(r)
	v := &view{T: c, Lang: c.Code, Info: &r.Info, Case: r.Info.Case}
	for _, s := range r.Info.IndicatorSources {
		v.SourcesTotal += s.Indicators
		s.Kind = label(c, "source_kind.", s.Kind)
		v.Sources = append(v.Sources, s)
	}
	if !r.Info.GeneratedAt.IsZero() {
		v.Generated = z.stamp(r.Info.GeneratedAt, "").UTC
		v.GeneratedISO = r.Info.GeneratedAt.UTC().Format(time.RFC3339)
	}
	v.identity(r, c)
	v.indicators(r, c)
	v.findings(r, c, z)
	v.verdict(r, c)
	v.alerts(r, c, z)
	v.timeline(r, c, z, p)
	v.custody(r, c)
	v.Multi = len(r.Info.Inputs) > 1
	v.modules(r, c)
	return v
}

func (v *view) verdict(r *model.Report, c *i18n.Catalog) {
	problems := selftest.Check(r)
	switch r.Verdict {
	case model.VerdictDetected:
		v.Verdict = "detected"
		if fams := v.familyNames(); len(fams) > 0 {
			short := fams
			if len(fams) > maxHeadlineFamilies {
				short = append(fams[:maxHeadlineFamilies:maxHeadlineFamilies], c.N("verdict.detected.more", len(fams)-maxHeadlineFamilies))
			}
			v.Headline = c.T("verdict.detected.headline", "families", c.List(short))
			v.Meaning = c.T("verdict.detected.meaning", "families", c.List(fams))
		} else {
			v.Headline = c.T("verdict.detected.headline_unknown")
			v.Meaning = c.T("verdict.detected.meaning_unknown")
		}
	case model.VerdictSuspicious:
		v.Verdict = "suspicious"
	case model.VerdictClean:
		v.Verdict = "clean"
		if len(problems) > 0 { // a stored "clean" the self-test contradicts
			v.Verdict = "inconclusive"
		}
	default: // inconclusive, and anything unknown: never read as clean
		v.Verdict = "inconclusive"
	}
	if v.Headline == "" {
		v.Headline = c.T("verdict." + v.Verdict + ".headline")
		v.Meaning = c.N("verdict."+v.Verdict+".meaning", r.Info.IndicatorCount)
	}
	for i := 1; c.Has("verdict." + v.Verdict + ".step" + fmt.Sprint(i)); i++ {
		v.Steps = append(v.Steps, c.T("verdict."+v.Verdict+".step"+fmt.Sprint(i)))
	}
	for _, cause := range explain.Explain(r) {
		cv := causeView{Text: c.Render(cause.Text), Fix: c.Render(cause.Fix), Files: cause.Files}
		for _, e := range cause.Examples {
			cv.Examples = append(cv.Examples, e)
		}
		v.Causes = append(v.Causes, cv)
	}
	if len(v.Causes) == 0 { // problems stored by a spyscan that did not type them
		for _, p := range r.Info.SelfTest.Problems {
			v.Causes = append(v.Causes, causeView{Text: p})
		}
	}
	v.ProblemsTitle = c.T("selftest.title")
	if v.Verdict == "detected" {
		v.ProblemsTitle = c.T("selftest.title_detected")
	}
	for _, h := range Helplines {
		v.Helplines = append(v.Helplines, helplineView{Name: c.T("helpline." + h.Key + ".name"),
			Desc: c.T("helpline." + h.Key + ".desc"), URL: h.URL})
	}
}

func (v *view) alerts(r *model.Report, c *i18n.Catalog, z zones) {
	alerts := append([]model.Alert(nil), r.Alerts...)
	model.SortAlerts(alerts)
	v.Total = len(alerts)
	counts := map[model.Level]int{}
	for i, a := range alerts {
		counts[a.Level]++
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].Class != levelClass(a.Level) {
			v.Groups = append(v.Groups, alertGroup{Class: levelClass(a.Level), Label: levelLabel(c, a.Level)})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Alerts = append(g.Alerts, alertView{N: i + 1, Message: c.Text(a.MessageMsg, a.Message), Module: a.Module,
			Input: a.Input, Artifact: a.Artifact, Time: z.stamp(a.Time, a.Input), Match: a.Match,
			Reason: c.Text(a.ReasonMsg, a.Reason), Benign: c.Text(a.BenignMsg, a.Benign)})
		av := &g.Alerts[len(g.Alerts)-1]
		av.Record, av.Truncated = prettyRecord(a.Record)
		if a.Match != nil {
			av.Families = strings.Join(a.Match.Families(), ", ")
			av.How = a.Match.How
			av.TypeLabel = label(c, "type.", a.Match.Type)
			if k := "match.how." + a.Match.How; c.Has(k) {
				av.How = c.T(k)
			}
			for _, p := range a.Match.Sources {
				sv := sourceView{Provenance: p}
				for _, ref := range p.References {
					sv.Links = append(sv.Links, safeLink(ref))
				}
				av.Sources = append(av.Sources, sv)
			}
		}
	}
	for l := model.Critical; l >= model.Info; l-- {
		v.Counts = append(v.Counts, levelCount{Class: levelClass(l), Label: levelLabel(c, l), N: counts[l]})
	}
}

// safeLink keeps a reference clickable only when it is an http(s) address.
func safeLink(s string) link {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return link{Text: s}
	}
	return link{Text: s, URL: u.String()}
}

func prettyRecord(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	s := indentReadable(raw)
	if len(s) <= maxRecordBytes {
		return s, false
	}
	cut := maxRecordBytes
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut], true
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func (v *view) timeline(r *model.Report, c *i18n.Catalog, z zones, p *TimelinePass) {
	// List the events an alert refers to first; then the others, while room.
	// One pass over the timeline (it may be on disk), keeping at most
	// maxEventsListed events of each kind, finding the chart's span and
	// logging the times of its bins: the caller's pass (p), or one here.
	if p == nil {
		p = NewTimelinePass(r)
		r.EachEvent(p.Add)
	}
	copied := p.copied
	v.EventsAll = r.EventCount()
	v.CopiedAll = p.copiedAll
	list, others, sp := p.list, p.others, p.sp
	for _, a := range r.Alerts {
		sp.see(a.Time)
	}
	v.Chart = buildChart(r, c, p, sp)
	if len(list) < maxEventsListed {
		list = append(list, others[:min(len(others), maxEventsListed-len(list))]...)
		model.SortEvents(list)
	}
	v.Events = make([]eventView, 0, len(list))
	for _, e := range list {
		ev := eventView{Time: z.stamp(e.Time, e.Input), Module: e.Module, Event: e.Event,
			Description: c.Text(e.DescriptionMsg, e.Description), Copied: copied(&e)}

		if e.Level != nil {
			ev.Level, ev.LevelLabel = levelClass(*e.Level), levelLabel(c, *e.Level)
		}
		v.Events = append(v.Events, ev)
	}
}

func (v *view) custody(r *model.Report, c *i18n.Catalog) {
	for _, in := range r.Info.Inputs {
		iv := inputView{Input: in, FilesAll: in.FileCount(), Files: firstFiles(&in, maxFilesPerInput), KindLabel: label(c, "input_kind.", in.Kind)}
		iv.Facts = metaRows(c, in.Meta)
		v.Inputs = append(v.Inputs, iv)
	}
}

// firstFiles is the first n files of an input (of its spooled list too).
func firstFiles(in *model.Input, n int) []model.InputFile {
	if in.Spooled == nil {
		return in.Files[:min(n, len(in.Files))]
	}
	out := make([]model.InputFile, 0, min(n, in.FileCount()))
	in.EachFile(func(f *model.InputFile) error {
		if len(out) == n {
			return errEnough
		}
		out = append(out, *f)
		return nil
	})
	return out
}

var errEnough = errors.New("enough files")

func (v *view) modules(r *model.Report, c *i18n.Catalog) {
	mods := append([]model.ModuleResult(nil), r.Modules...)
	sort.SliceStable(mods, func(i, j int) bool {
		if mods[i].Input != mods[j].Input {
			return mods[i].Input < mods[j].Input
		}
		return mods[i].Module < mods[j].Module
	})
	counts := map[model.Status]int{}
	for _, m := range mods {
		counts[m.Status]++
		m.Records = nil
		m.Reason = c.Text(m.ReasonMsg, m.Reason)
		m.Notes = notes(c, m)
		mv := moduleView{ModuleResult: m, StatusLabel: c.T("status." + string(m.Status)), Class: "st-" + string(m.Status)}
		for _, e := range m.Errors {
			kind := e.Kind
			if kind == "" {
				kind = model.KindDamaged
			}
			mv.Errs = append(mv.Errs, errView{FileError: e, KindLabel: label(c, "kind.", string(kind))})
		}
		v.Modules = append(v.Modules, mv)
		if m.Status == model.StatusFailed || m.Status == model.StatusPartial || len(m.Errors) > 0 {
			v.ModProblems = append(v.ModProblems, mv)
		}
	}
	ran := counts[model.StatusOK] + counts[model.StatusPartial] + counts[model.StatusEmpty]
	skipped, failed := c.N("modules.skipped", counts[model.StatusSkipped]), c.N("modules.failed", counts[model.StatusFailed])
	if n := counts[model.StatusPartial]; n > 0 {
		v.ModSum = c.T("modules.summary_partial", "ran", c.N("modules.count", ran), "partial", c.N("modules.partial", n),
			"skipped", skipped, "failed", failed)
	} else {
		v.ModSum = c.T("modules.summary", "ran", c.N("modules.count", ran), "skipped", skipped, "failed", failed)
	}
}

// indentReadable indents a JSON record for people: keys sorted, and <, >, &
// shown as themselves rather than as \u escapes (html/template escapes the
// result for HTML). A record that is not JSON is shown as it is.
func indentReadable(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return string(raw)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return string(raw)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// label translates prefix+key, or returns key when the catalog has no such
// message (a type added after the catalogs were written).
func label(c *i18n.Catalog, prefix, key string) string {
	if c.Has(prefix + key) {
		return c.T(prefix + key)
	}
	return key
}

// notes returns a module's notes in the report's language: each from its
// message where the results carry one (older results have English only).
func notes(c *i18n.Catalog, m model.ModuleResult) []string {
	if len(m.NotesMsg) != len(m.Notes) {
		return m.Notes
	}
	out := make([]string, len(m.Notes))
	for i, n := range m.Notes {
		out[i] = c.Text(m.NotesMsg[i], n)
	}
	return out
}
