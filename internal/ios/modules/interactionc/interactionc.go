// Package interactionc owns CoreDuet's interactionC.db: who the user
// interacted with, through which app, and when, plus the contacts and
// attachments of those interactions. Contact identifiers (emails), app
// bundle ids and content URLs are checked against the indicators.
package interactionc

import (
	"context"
	"fmt"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates interactionC.db.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/CoreDuet/People/interactionC.db"},
	Dump:   []string{"private/var/mobile/Library/CoreDuet/People/interactionC.db"},
}

// Module reads interactions.
type Module struct{ module.Base }

// New returns the module.
// interactionKey is the catalog key of an interaction's timeline text.
func interactionKey(direction string) string {
	switch direction {
	case "incoming", "outgoing":
		return "ios.interactionc.event_" + direction
	}
	return "ios.interactionc.event_interaction"
}

func New() Module { return Module{module.NewBase("interactionc", 1, Spec)} }

// Contact is one ZCONTACTS row.
type Contact struct {
	ID          int64  `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
	Identifier  string `json:"identifier"`
	PersonID    string `json:"person_id,omitempty"`
	Created     string `json:"creation_date,omitempty"`
}

// Interaction is one ZINTERACTIONS row with its sender, recipients and
// attachment URLs.
type Interaction struct {
	ID             int64    `json:"id"`
	Start          string   `json:"start_date,omitempty"`
	End            string   `json:"end_date,omitempty"`
	BundleID       string   `json:"bundle_id,omitempty"`
	TargetBundleID string   `json:"target_bundle_id,omitempty"`
	Account        string   `json:"account,omitempty"`
	Direction      string   `json:"direction,omitempty"`
	Sender         *Contact `json:"sender,omitempty"`
	Recipients     []string `json:"recipients,omitempty"`
	DomainID       string   `json:"domain_identifier,omitempty"`
	ContentURL     string   `json:"content_url,omitempty"`
	AttachmentURLs []string `json:"attachment_urls,omitempty"`
	GroupName      string   `json:"group_name,omitempty"`
	DB             string   `json:"db"`
}

// Run reads the tables one by one and joins them in memory.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		contacts := map[int64]*Contact{}
		soft := func(err error) {
			if err != nil {
				rec.FileError(p, err)
			}
		}
		soft(iosmod.Query(ctx, db, rec, "ZCONTACTS", []string{"Z_PK", "ZDISPLAYNAME", "ZIDENTIFIER", "ZPERSONID", "ZCREATIONDATE"}, "ORDER BY Z_PK", func(r iosmod.Row) error {
			t := iosmod.AppleTime(r, "zcreationdate")
			c := &Contact{ID: r.Int("z_pk"), DisplayName: r.Str("zdisplayname"), Identifier: r.Str("zidentifier"), PersonID: r.Str("zpersonid"), Created: iosmod.ISO(t)}
			contacts[c.ID] = c
			if e, ok := strings.CutPrefix(c.Identifier, "mailto:"); ok {
				rec.CheckEmail(e, module.Where{Artifact: p, Time: t, Label: i18n.M("ios.interactionc.what_contact"), Record: c})
			}
			iosmod.Event(rec, t, "contact_first_recorded", i18n.M("ios.interactionc.event_contact", "contact", c.Identifier), p)
			return nil
		}))
		attURL := map[int64]string{}
		soft(iosmod.Query(ctx, db, rec, "ZATTACHMENT", []string{"Z_PK", "ZCONTENTURL"}, "", func(r iosmod.Row) error {
			attURL[r.Int("z_pk")] = r.Str("zcontenturl")
			return nil
		}))
		atts := map[int64][]string{}
		soft(iosmod.Query(ctx, db, rec, "Z_1INTERACTIONS", []string{"Z_1ATTACHMENTS", "Z_3INTERACTIONS"}, "", func(r iosmod.Row) error {
			if u := attURL[r.Int("z_1attachments")]; u != "" {
				atts[r.Int("z_3interactions")] = append(atts[r.Int("z_3interactions")], u)
			}
			return nil
		}))
		recips := map[int64][]string{}
		soft(iosmod.Query(ctx, db, rec, "Z_2INTERACTIONRECIPIENT", []string{"Z_2RECIPIENTS", "Z_3INTERACTIONRECIPIENT"}, "", func(r iosmod.Row) error {
			if c := contacts[r.Int("z_2recipients")]; c != nil {
				recips[r.Int("z_3interactionrecipient")] = append(recips[r.Int("z_3interactionrecipient")], c.Identifier)
			}
			return nil
		}))
		return iosmod.Query(ctx, db, rec, "ZINTERACTIONS",
			[]string{"Z_PK", "ZSENDER", "ZSTARTDATE", "ZENDDATE", "ZBUNDLEID", "ZTARGETBUNDLEID", "ZACCOUNT", "ZDIRECTION", "ZDOMAINIDENTIFIER", "ZCONTENTURL", "ZGROUPNAME"},
			"ORDER BY ZSTARTDATE, Z_PK", func(r iosmod.Row) error {
				it := Interaction{ID: r.Int("z_pk"), BundleID: r.Str("zbundleid"), TargetBundleID: r.Str("ztargetbundleid"), Account: r.Str("zaccount"),
					Sender: contacts[r.Int("zsender")], DomainID: r.Str("zdomainidentifier"), ContentURL: r.Str("zcontenturl"), GroupName: r.Str("zgroupname"), DB: p}
				switch {
				case r.Null("zdirection"):
				case r.Int("zdirection") == 0:
					it.Direction = "incoming"
				case r.Int("zdirection") == 1:
					it.Direction = "outgoing"
				}
				it.Recipients, it.AttachmentURLs = recips[it.ID], atts[it.ID]
				t := iosmod.AppleTime(r, "zstartdate")
				it.Start, it.End = iosmod.ISO(t), iosmod.ISO(iosmod.AppleTime(r, "zenddate"))
				rec.Record(it)
				who := ""
				if it.Sender != nil {
					who = it.Sender.Identifier
				}
				iosmod.Event(rec, t, "interaction", i18n.M(interactionKey(it.Direction), "app", it.BundleID, "who", who, "recipients", fmt.Sprint(it.Recipients)), p)
				w := module.Where{Artifact: p, Time: t, Label: i18n.M("ios.interactionc.what_app"), Record: it}
				rec.CheckBundleID(it.BundleID, w)
				rec.CheckBundleID(it.TargetBundleID, w)
				w.Label = i18n.M("ios.interactionc.what_url")
				rec.CheckURL(it.ContentURL, w)
				for _, u := range it.AttachmentURLs {
					rec.CheckURL(u, w)
				}
				return nil
			})
	})
}
