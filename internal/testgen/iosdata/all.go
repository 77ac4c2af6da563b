package iosdata

import (
	"sort"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// All returns every artifact of this package, for a demo device or an
// end-to-end test, with filler ordinary rows in the databases that take it
// (sms, Safari history, DataUsage, WebKit observations). Files are sorted
// by backup location then dump path; a path shared by two artifacts (the
// clean daemon's binary) appears once.
func All(filler int) []iosgen.File {
	groups := [][]iosgen.File{
		SMS(filler), SafariHistory(filler), DataUsage(filler), NetUsage(), TCC(), Calendar(),
		SessionResourceLog(), Observations(filler), IDStatusCache(), Shortcuts(), InteractionC(),
		Calls(), Contacts(), WhatsApp(), ChromeHistory(), ChromeFavicon(), FirefoxBrowserDB(),
		SafariBrowserState(), SafariFavicon(),
	}
	seen := map[string]bool{}
	var out []iosgen.File
	for _, g := range groups {
		for _, f := range g {
			k := f.Domain + "/" + f.RelativePath + "|" + f.Path
			if !seen[k] {
				seen[k] = true
				out = append(out, f)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Domain+a.RelativePath != b.Domain+b.RelativePath {
			return a.Domain+"/"+a.RelativePath < b.Domain+"/"+b.RelativePath
		}
		return a.Path < b.Path
	})
	return out
}
