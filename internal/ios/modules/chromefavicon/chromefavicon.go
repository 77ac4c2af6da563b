// Package chromefavicon owns Chrome for iOS's Favicons database: page URLs
// and the icon URLs fetched for them, both checked against the indicators.
package chromefavicon

import (
	"context"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

const rel = "Library/Application Support/Google/Chrome/Default/Favicons"

// Spec locates the Favicons database.
var Spec = artifact.Spec{
	Backup: []string{"AppDomain-com.google.chrome.ios/" + rel},
	Dump:   []string{"private/var/mobile/Containers/Data/Application/*/" + rel},
}

// Module reads Chrome favicons.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("chrome_favicon", 1, Spec)} }

// Favicon is one page-to-icon mapping.
type Favicon struct {
	PageURL       string `json:"url"`
	IconURL       string `json:"icon_url"`
	LastUpdated   string `json:"last_updated,omitempty"`
	LastRequested string `json:"last_requested,omitempty"`
	DB            string `json:"db"`
}

// Run reads favicons and bitmaps, then the mappings.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		icons := map[int64]string{}
		type bm struct{ upd, req int64 }
		bitmaps := map[int64]bm{}
		if err := iosmod.Query(ctx, db, rec, "favicons", []string{"id", "url"}, "", func(r iosmod.Row) error {
			icons[r.Int("id")] = r.Str("url")
			return nil
		}); err != nil {
			rec.FileError(p, err)
		}
		if err := iosmod.Query(ctx, db, rec, "favicon_bitmaps", []string{"icon_id", "last_updated", "last_requested"}, "ORDER BY id", func(r iosmod.Row) error {
			b := bitmaps[r.Int("icon_id")]
			b.upd, b.req = max(b.upd, r.Int("last_updated")), max(b.req, r.Int("last_requested"))
			bitmaps[r.Int("icon_id")] = b
			return nil
		}); err != nil {
			rec.FileError(p, err)
		}
		return iosmod.Query(ctx, db, rec, "icon_mapping", []string{"id", "page_url", "icon_id"}, "ORDER BY id", func(r iosmod.Row) error {
			id := r.Int("icon_id")
			t := model.FromWebKitMicros(bitmaps[id].upd)
			f := Favicon{PageURL: r.Str("page_url"), IconURL: icons[id], LastUpdated: iosmod.ISO(t), LastRequested: iosmod.ISO(model.FromWebKitMicros(bitmaps[id].req)), DB: p}
			rec.Record(f)
			iosmod.Event(rec, t, "new_favicon", i18n.M("ios.chrome_favicon.event", "icon", f.IconURL, "page", f.PageURL), p)
			w := module.Where{Artifact: p, Time: t, Label: i18n.M("ios.chrome_favicon.what_page"), Record: f}
			rec.CheckURL(f.PageURL, w)
			w.Label = i18n.M("ios.chrome_favicon.what_icon")
			rec.CheckURL(f.IconURL, w)
			return nil
		})
	})
}
