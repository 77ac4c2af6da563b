// Package safarifavicon owns Safari's Favicons.db (filesystem dumps): page
// URLs with their icon URLs, and the rejected resources. Both URLs are
// checked against the indicators.
package safarifavicon

import (
	"context"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates Favicons.db.
var Spec = artifact.Spec{
	Dump: []string{
		"private/var/mobile/Library/Image Cache/Favicons/Favicons.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Image Cache/Favicons/Favicons.db",
	},
}

// Module reads favicons.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("safari_favicon", 1, Spec)} }

// Favicon is one icon record.
type Favicon struct {
	URL     string `json:"url"`
	IconURL string `json:"icon_url"`
	Time    string `json:"time,omitempty"`
	Type    string `json:"type"` // "valid" or "rejected"
	DB      string `json:"db"`
}

// Run reads pages and icons, then rejected resources.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		pages := map[string]string{}
		if err := iosmod.Query(ctx, db, rec, "page_url", []string{"uuid", "url"}, "", func(r iosmod.Row) error {
			pages[r.Str("uuid")] = r.Str("url")
			return nil
		}); err != nil {
			rec.FileError(p, err)
		}
		emit := func(f Favicon, r iosmod.Row) {
			t := iosmod.AppleTime(r, "timestamp")
			f.Time, f.DB = iosmod.ISO(t), p
			rec.Record(f)
			iosmod.Event(rec, t, "safari_favicon", i18n.M("ios.safari_favicon.event", "page", f.URL, "icon", f.IconURL, "type", f.Type), p)
			w := module.Where{Artifact: p, Time: t, Label: i18n.M("ios.safari_favicon.what_page"), Record: f}
			rec.CheckURL(f.URL, w)
			w.Label = i18n.M("ios.safari_favicon.what_icon")
			rec.CheckURL(f.IconURL, w)
		}
		if err := iosmod.Query(ctx, db, rec, "icon_info", []string{"uuid", "url", "timestamp"}, "ORDER BY timestamp, id", func(r iosmod.Row) error {
			emit(Favicon{URL: pages[r.Str("uuid")], IconURL: r.Str("url"), Type: "valid"}, r)
			return nil
		}); err != nil {
			rec.FileError(p, err)
		}
		return iosmod.Query(ctx, db, rec, "rejected_resources", []string{"page_url", "icon_url", "timestamp"}, "ORDER BY timestamp, id", func(r iosmod.Row) error {
			emit(Favicon{URL: r.Str("page_url"), IconURL: r.Str("icon_url"), Type: "rejected"}, r)
			return nil
		})
	})
}
