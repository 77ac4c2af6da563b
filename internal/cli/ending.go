package cli

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/family"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/output"
	"github.com/spyscan/spyscan/internal/report/explain"
)

// maxEndingLines bounds what follows the module table: the verdict in plain
// words, what was found (or why nothing can be said), the indicators' age
// when stale, the report's full path, and what the exit code means.
const maxEndingLines = 5

// ending writes the last lines of a scan, recheck or report command in the
// report's language. The first line starts with "verdict: <verdict>" in
// any language, for scripts that read it.
//
// withExit adds the exit-code line (scan and recheck; report exits 0).
func ending(r *model.Report, dir string, fail model.Level, withExit bool, lang string, now time.Time) []string {
	c := i18n.Get(lang)
	counts := map[model.Level]int{}
	for _, a := range r.Alerts {
		counts[a.Level]++
	}
	verdict := r.Verdict
	if verdict == "" {
		verdict = model.VerdictInconclusive
	}
	short := map[model.Verdict]string{model.VerdictDetected: "detected", model.VerdictSuspicious: "suspicious",
		model.VerdictClean: "clean"}[verdict]
	if short == "" {
		short = "inconclusive"
	}
	first := "verdict: " + string(verdict) + " — " + c.T("verdict."+short+".short")
	if len(r.Alerts) > 0 {
		first += " " + c.T("term.alerts", "alerts", c.N("summary.alerts", len(r.Alerts)),
			"critical", c.N("term.count.critical", counts[model.Critical]), "high", c.N("term.count.high", counts[model.High]),
			"medium", c.N("term.count.medium", counts[model.Medium]), "low", c.N("term.count.low", counts[model.Low]),
			"info", c.N("term.count.info", counts[model.Info]))
	}
	lines := []string{first}

	causes := explain.Explain(r)
	var detail string
	switch short {
	case "detected":
		detail = familiesLine(c, r)
	case "suspicious":
		detail = c.T("term.suspicious", "signs", c.N("term.signs", len(r.Alerts)))
	case "clean":
		if d := r.Info.IndicatorDate(); d != "" {
			detail = c.T("term.clean", "indicators", c.N("summary.indicators", r.Info.IndicatorCount), "date", d)
		}
	}
	if detail != "" {
		lines = append(lines, detail)
	}
	if len(causes) > 0 {
		cs := c.Render(causes[0].Text) + " " + c.Render(causes[0].Fix)
		if len(causes) > 1 {
			cs += " " + c.N("term.more_problems", len(causes)-1)
		}
		lines = append(lines, cs)
	}
	if age, ok := r.Info.IndicatorAge(now); ok && age > model.StaleIndicators {
		lines = append(lines, c.N("term.stale", int(age/(24*time.Hour)), "date", r.Info.IndicatorDate()))
	}
	if abs, err := filepath.Abs(filepath.Join(dir, output.ReportHTML)); err == nil {
		lines = append(lines, c.T("term.report", "path", abs))
	}
	if withExit {
		lines = append(lines, exitLine(c, r, fail))
	}
	for len(lines) > maxEndingLines { // join the detail lines rather than drop one
		lines = append(lines[:1], append([]string{lines[1] + " " + lines[2]}, lines[3:]...)...)
	}
	return lines
}

// familiesLine names the families found, by kind of threat, most severe
// kind first: "Mercenary spyware: Pegasus (NSO Group), Predator. Stalkerware: TheTruthSpy."
func familiesLine(c *i18n.Catalog, r *model.Report) string {
	sources := map[string]map[string]bool{}
	weight := map[string]int{} // as the report orders them: highest level, then sightings
	var names []string
	for _, a := range r.Alerts {
		if a.Match == nil {
			continue
		}
		for _, p := range a.Match.Sources {
			if p.Family == "" {
				continue
			}
			if sources[p.Family] == nil {
				sources[p.Family] = map[string]bool{}
				names = append(names, p.Family)
			}
			sources[p.Family][p.Source] = true
		}
		for _, f := range a.Match.Families() {
			weight[f] = max(weight[f]/1_000_000, int(a.Level))*1_000_000 + weight[f]%1_000_000 + 1
		}
	}
	if len(names) == 0 {
		return ""
	}
	infos := make([]family.Info, 0, len(names))
	for _, n := range names {
		var srcs []string
		for s := range sources[n] {
			srcs = append(srcs, s)
		}
		sort.Strings(srcs)
		infos = append(infos, family.Lookup(n, srcs))
	}
	family.Sort(infos, func(in family.Info) int { return weight[in.Name] })
	var parts []string
	for i := 0; i < len(infos); {
		cat := infos[i].Category
		var group []string
		for ; i < len(infos) && infos[i].Category == cat; i++ {
			name := infos[i].Display
			if k := infos[i].Key; k != "" && c.Has("family.name."+k) {
				name = c.T("family.name." + k)
			}
			if infos[i].Vendor != "" {
				name += " (" + infos[i].Vendor + ")"
			}
			group = append(group, name)
		}
		parts = append(parts, c.T("term.family_group", "kind", c.T("family.category."+cat.String()+".title"), "families", c.List(group)))
	}
	return strings.Join(parts, " ")
}

// exitLine says what the exit code of the command means.
func exitLine(c *i18n.Catalog, r *model.Report, fail model.Level) string {
	err := outcome(r, fail)
	code := ExitCode(err)
	lvl := strings.ToLower(fail.String())
	switch code {
	case ExitAlerts:
		return c.T("term.exit_alerts", "code", code, "level", lvl)
	case ExitInconclusive:
		return c.T("term.exit_inconclusive", "code", code)
	}
	return c.T("term.exit_ok", "code", code, "level", lvl)
}

// printEnding writes the ending lines to stdout.
func (a *app) printEnding(r *model.Report, dir string, fail model.Level, withExit bool, lang string) {
	for _, l := range ending(r, dir, fail, withExit, lang, time.Now()) {
		fmt.Fprintln(a.stdout, l)
	}
}
