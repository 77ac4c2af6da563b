package html

import (
	"cmp"
	"fmt"
	"html/template"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	htmlesc "html"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
)

// Chart geometry, in SVG user units.
const (
	chartW, chartH   = 960, 200
	padL, padR       = 48, 16
	padT, padB       = 28, 36
	chartBins        = 72
	maxAlertMarks    = 400
	alertMarkRadius  = 5
	tickLabelsOnAxis = 5
)

type chart struct {
	SVG   template.HTML // empty when nothing has a time
	Start string
	End   string
}

// buildChart draws the timeline as an inline SVG histogram of events per
// time bin, with a marker per dated alert above it, over the span sp of
// the dated events (leaving out those copied says are dated by the copy)
// and alerts, with the bins' event times from p. Every text that comes from the evidence is escaped here,
// since the SVG is inserted as HTML.
func buildChart(r *model.Report, c *i18n.Catalog, p *TimelinePass, sp timeSpan) chart {
	lo, hi, ok := sp.lo, sp.hi, sp.ok
	if !ok {
		return chart{}
	}
	if !hi.After(lo) {
		lo, hi = lo.Add(-12*time.Hour), hi.Add(12*time.Hour)
	}
	bins := make([]int, chartBins)
	total := hi.Sub(lo)
	bin := func(t time.Time) int {
		i := int(float64(t.Sub(lo)) / float64(total) * chartBins)
		return min(max(i, 0), chartBins-1)
	}
	p.eachChartTime(r, func(t time.Time) { bins[bin(t)]++ })
	peak := 0
	for _, n := range bins {
		peak = max(peak, n)
	}
	plotW := float64(chartW - padL - padR)
	plotH := float64(chartH - padT - padB)
	x := func(t time.Time) float64 { return padL + float64(t.Sub(lo))/float64(total)*plotW }

	var b strings.Builder
	title := c.T("timeline.chart_title")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title" class="chart">`, chartW, chartH)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, htmlesc.EscapeString(title))
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`, padL, chartH-padB, chartW-padR, chartH-padB)
	bw := plotW / chartBins
	for i, n := range bins {
		if n == 0 {
			continue
		}
		// Square-root scale: one event stays visible beside thousands.
		h := math.Max(1, math.Sqrt(float64(n))/math.Sqrt(float64(peak))*plotH)
		bx := padL + float64(i)*bw
		from := lo.Add(time.Duration(float64(total) * float64(i) / chartBins))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"><title>%s</title></rect>`,
			bx+0.5, float64(chartH-padB)-h, math.Max(bw-1, 0.5), h,
			htmlesc.EscapeString(c.N("timeline.bar_title", n, "from", from.UTC().Format("2006-01-02 15:04"))))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="ylabel">%s</text>`, 4, padT+8, htmlesc.EscapeString(fmt.Sprint(peak)))
	for i := 0; i < tickLabelsOnAxis; i++ {
		t := lo.Add(time.Duration(float64(total) * float64(i) / float64(tickLabelsOnAxis-1)))
		anchor := "middle"
		if i == 0 {
			anchor = "start"
		} else if i == tickLabelsOnAxis-1 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="%s" class="xlabel">%s</text>`, x(t), chartH-padB+18, anchor,
			htmlesc.EscapeString(t.UTC().Format("2006-01-02 15:04")))
	}
	marks := 0
	for _, a := range r.Alerts {
		if a.Time.IsZero() || marks >= maxAlertMarks {
			continue
		}
		marks++
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%d" r="%d" class="mark %s"><title>%s</title></circle>`,
			x(a.Time), padT-12, alertMarkRadius, levelClass(a.Level),
			htmlesc.EscapeString(a.Time.UTC().Format("2006-01-02 15:04:05 UTC")+" — "+levelLabel(c, a.Level)+": "+c.Text(a.MessageMsg, a.Message)))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="markline %s"/>`, x(a.Time), padT-7, x(a.Time), chartH-padB, levelClass(a.Level))
	}
	b.WriteString(`</svg>`)
	return chart{SVG: template.HTML(b.String()), Start: lo.UTC().Format("2006-01-02 15:04 UTC"), End: hi.UTC().Format("2006-01-02 15:04 UTC")}
}

// timeSpan is the time range of the dated events and alerts seen.
type timeSpan struct {
	lo, hi time.Time
	ok     bool
}

func (sp *timeSpan) see(t time.Time) {
	if t.IsZero() {
		return
	}
	if !sp.ok || t.Before(sp.lo) {
		sp.lo = t
	}
	if !sp.ok || t.After(sp.hi) {
		sp.hi = t
	}
	sp.ok = true
}

// copyTimes returns whether an event is dated by the modification time of
// an acquisition file on the computer that holds it (a folder's files:
// usually when the acquisition was copied there), rather than by a time of
// the device. Such times would stretch the chart to the day of the copy:
// they stay out of it and are marked in the list.
func copyTimes(r *model.Report) func(*model.Event) bool {
	// One entry per input file that has a time (of the files the events
	// name, when the timeline says which): a 64-bit hash of (input, path)
	// and the time, sorted by hash: 32 bytes a file, where a map of the
	// path strings held ~140 (a backup lists 100,000s of files). Of files
	// with the same key, the last listed wins, as in a map.
	type entry struct {
		h uint64
		t time.Time
	}
	var times []entry
	only := ""
	if len(r.Info.Inputs) == 1 {
		only = r.Info.Inputs[0].Path
	}
	roots := map[string]string{}
	for _, in := range r.Info.Inputs {
		roots[in.Path] = in.Meta["root"]
	}
	// When the timeline lists the artifacts its events name (a scan's
	// spool does), only the files they can be are kept: a few, where a
	// backup lists 100,000s of files.
	var named map[uint64]bool // nil: every file
	if at, ok := r.Timeline.(model.ArtifactTimeline); ok {
		named = map[uint64]bool{}
		at.EachArtifact(func(in, artifact string) {
			if in == "" {
				in = only
			}
			named[fileKey(in, artifact)] = true
			if root := roots[in]; root != "" {
				named[fileKeyRooted(in, root, artifact)] = true
			}
		})
	}
	for _, in := range r.Info.Inputs {
		in.EachFile(func(f *model.InputFile) error {
			if f.ModTime.IsZero() {
				return nil
			}
			if h := fileKey(in.Path, f.Path); named == nil || named[h] {
				times = append(times, entry{h, f.ModTime})
			}
			return nil
		})
	}
	if len(times) == 0 {
		return func(*model.Event) bool { return false }
	}
	slices.SortStableFunc(times, func(a, b entry) int { return cmp.Compare(a.h, b.h) })
	find := func(h uint64) (time.Time, bool) {
		i := sort.Search(len(times), func(k int) bool { return times[k].h > h }) // past the last entry of h
		if i == 0 || times[i-1].h != h {
			return time.Time{}, false
		}
		return times[i-1].t, true
	}
	return func(e *model.Event) bool {
		in := e.Input
		if in == "" {
			in = only
		}
		t, ok := find(fileKey(in, e.Artifact))
		if root := roots[in]; !ok && root != "" {
			t, ok = find(fileKeyRooted(in, root, e.Artifact)) // fileKey(in, root+"/"+artifact), without the string
		}
		if !ok {
			return false
		}
		d := e.Time.Sub(t)
		return d > -time.Second && d < time.Second
	}
}

// fileKeyRooted is fileKey(in, root+"/"+p).
func fileKeyRooted(in, root, p string) uint64 {
	const prime = 1099511628211
	h := fileKey(in, root)
	h = (h ^ '/') * prime
	for i := 0; i < len(p); i++ {
		h = (h ^ uint64(p[i])) * prime
	}
	return h
}

// fileKey is the 64-bit FNV-1a hash of an input path, a NUL and a file
// path.
func fileKey(in, p string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < len(in); i++ {
		h = (h ^ uint64(in[i])) * prime
	}
	h *= prime // the NUL
	for i := 0; i < len(p); i++ {
		h = (h ^ uint64(p[i])) * prime
	}
	return h
}
