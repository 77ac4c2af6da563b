// Package sessionresourcelog owns WebKit's
// full_browsing_session_resourceLog.plist: per site, the sites it
// redirected from and to, and the frames and resources loaded under it.
// Every origin is checked against the indicators; when one matches, the
// redirect chain it belongs to is reported.
package sessionresourcelog

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

const file = "full_browsing_session_resourceLog.plist"

// Spec locates the resource logs.
var Spec = artifact.Spec{
	Backup: []string{
		"AppDomain-*/Library/WebKit/WebsiteData/ResourceLoadStatistics/" + file,
		"HomeDomain/Library/WebKit/WebsiteData/ResourceLoadStatistics/" + file,
		"HomeDomain/Library/WebClips/*/Storage/" + file,
	},
	Dump: []string{
		"private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/" + file,
		"private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/ResourceLoadStatistics/" + file,
		"private/var/mobile/Library/WebClips/*/Storage/" + file,
	},
}

// Module reads the logs.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("webkit_session_resource_log", 1, Spec)} }

// Entry is one site of the log.
type Entry struct {
	Origin                string   `json:"origin"`
	RedirectSource        []string `json:"redirect_source,omitempty"`
	RedirectDestination   []string `json:"redirect_destination,omitempty"`
	SubframeUnderOrigin   []string `json:"subframe_under_origin,omitempty"`
	SubresourceUnderOrig  []string `json:"subresource_under_origin,omitempty"`
	UserInteraction       bool     `json:"user_interaction"`
	MostRecentInteraction string   `json:"most_recent_interaction,omitempty"`
	LastSeen              string   `json:"last_seen,omitempty"`
	File                  string   `json:"file"`
	lastSeen              time.Time
}

// Run reads every log.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachFile(ctx, in, rec, Spec, iosmod.MaxPlist, func(p string, data []byte) error {
		entries, err := Parse(data)
		for _, e := range entries {
			e.File = p
			check(rec, e)
		}
		return err
	})
}

// Parse reads the browsingStatistics of a log. It returns what it could
// read and an error for a malformed file.
func Parse(data []byte) ([]Entry, error) {
	v, err := iosmod.DecodePlist(data)
	if err != nil {
		return nil, err
	}
	root := iosmod.Dict(v)
	if root == nil {
		return nil, fmt.Errorf("not a dictionary")
	}
	var out []Entry
	for _, it := range iosmod.List(root["browsingStatistics"]) {
		d := iosmod.Dict(it)
		if d == nil {
			continue
		}
		e := Entry{Origin: iosmod.Str(d["PrevalentResourceOrigin"]),
			RedirectSource:       origins(d["topFrameUniqueRedirectsFrom"]),
			RedirectDestination:  origins(d["topFrameUniqueRedirectsTo"]),
			SubframeUnderOrigin:  origins(d["subframeUnderTopFrameOrigins"]),
			SubresourceUnderOrig: origins(d["subresourceUnderTopFrameOrigins"])}
		e.UserInteraction, _ = d["hadUserInteraction"].(bool)
		e.MostRecentInteraction = iosmod.ISO(iosmod.PlistTime(d["mostRecentUserInteraction"]))
		e.lastSeen = iosmod.PlistTime(d["lastSeen"])
		e.LastSeen = iosmod.ISO(e.lastSeen)
		out = append(out, e)
	}
	return out, nil
}

// origins accepts a list of strings or of {origin|domain: ...} dictionaries.
func origins(v any) []string {
	var out []string
	for _, x := range iosmod.List(v) {
		if s := iosmod.Str(x); s != "" {
			out = append(out, s)
			continue
		}
		d := iosmod.Dict(x)
		for _, k := range []string{"origin", "domain"} {
			if s := iosmod.Str(d[k]); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func check(rec *module.Recorder, e Entry) {
	rec.Record(e)
	t := e.lastSeen
	iosmod.Event(rec, t, "webkit_resource", i18n.M("ios.session_resource_log.event", "chain", chain(e)), e.File)
	all := append(append(append(append([]string{e.Origin}, e.RedirectSource...), e.RedirectDestination...), e.SubframeUnderOrigin...), e.SubresourceUnderOrig...)
	sort.Strings(all)
	hit := false
	w := module.Where{Artifact: e.File, Time: t, Label: i18n.M("ios.session_resource_log.what_origin"), Record: e}
	for i, d := range all {
		if d != "" && (i == 0 || all[i-1] != d) && rec.CheckDomain(d, w) {
			hit = true
		}
	}
	if hit && (len(e.RedirectSource) > 0 || len(e.RedirectDestination) > 0) {
		rec.Flag(model.High, w, i18n.M("ios.session_resource_log.redirect.title", "chain", chain(e)),
			i18n.M("ios.session_resource_log.redirect.reason"), i18n.M("ios.session_resource_log.redirect.benign"))
	}
}

func chain(e Entry) string {
	var b strings.Builder
	if len(e.RedirectSource) > 0 {
		fmt.Fprintf(&b, "SOURCE %s -> ", strings.Join(e.RedirectSource, ", "))
	}
	fmt.Fprintf(&b, "ORIGIN %s", e.Origin)
	if len(e.RedirectDestination) > 0 {
		fmt.Fprintf(&b, " -> DESTINATION %s", strings.Join(e.RedirectDestination, ", "))
	}
	return b.String()
}
