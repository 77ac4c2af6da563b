// Package resourceloadstats owns WebKit's ResourceLoadStatistics
// observations.db (Safari, SafariViewService and apps embedding WebKit):
// the registrable domains a browser saw, and the top-frame redirects
// between them. Domains are checked against the indicators; a redirect into
// or out of a matched domain is reported with its chain.
package resourceloadstats

import (
	"context"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

const rel = "Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db"

// Spec locates observations.db.
var Spec = artifact.Spec{
	Backup: []string{"AppDomain-*/" + rel, "HomeDomain/" + rel, "AppDomain-*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/observations.db"},
	Dump: []string{
		"private/var/mobile/Containers/Data/Application/*/" + rel,
		"private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/observations.db",
		"private/var/mobile/" + rel,
	},
}

// Module reads observations.db.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("webkit_resource_load_statistics", 2, Spec)} }

// Domain is one observed domain.
type Domain struct {
	ID                 int64  `json:"domain_id"`
	RegistrableDomain  string `json:"registrable_domain"`
	LastSeen           string `json:"last_seen,omitempty"`
	HadUserInteraction bool   `json:"had_user_interaction"`
	MostRecentInteract string `json:"most_recent_user_interaction,omitempty"`
	// MVT's raw times (Unix seconds, -1 for none) and the web-push one of
	// newer WebKit, when the table has them.
	MostRecentInteractTime *float64 `json:"most_recent_user_interaction_time,omitempty"`
	MostRecentPushTime     *float64 `json:"most_recent_web_push_interaction_time,omitempty"`
	MostRecentPush         string   `json:"most_recent_web_push_interaction,omitempty"`
	App                    string   `json:"app,omitempty"` // backup domain, when known
	DB                     string   `json:"db"`
}

// Redirect is one top-frame redirect.
type Redirect struct {
	From string `json:"redirect_from"`
	To   string `json:"redirect_to"`
	DB   string `json:"db"`
}

// Run reads every observations.db.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		app := ""
		if i := strings.IndexByte(p, '/'); i > 0 && strings.Contains(p[:i], "Domain") {
			app = p[:i]
		}
		// A redirect names its domains by id: with WebKit's schema (domainID
		// the table's key) SQLite looks the names up, so that memory does
		// not grow with the table; otherwise every name is kept.
		join := joinable(ctx, db)
		var names map[int64]string
		if !join {
			names = map[int64]string{}
		}
		hit := map[int64]bool{} // the ids of matched domains only
		err := iosmod.Query(ctx, db, rec, "ObservedDomains", []string{"domainID", "registrableDomain", "lastSeen", "hadUserInteraction", "mostRecentUserInteractionTime", "?mostRecentWebPushInteractionTime"}, "ORDER BY domainID", func(r iosmod.Row) error {
			t := unix(r.Float("lastseen"))
			d := Domain{ID: r.Int("domainid"), RegistrableDomain: r.Str("registrabledomain"), LastSeen: iosmod.ISO(t),
				HadUserInteraction: r.Int("haduserinteraction") != 0, App: app, DB: p}
			if f := r.Float("mostrecentuserinteractiontime"); f > 0 {
				d.MostRecentInteract = iosmod.ISO(unix(f))
			}
			if !r.Null("mostrecentuserinteractiontime") {
				f := r.Float("mostrecentuserinteractiontime")
				d.MostRecentInteractTime = &f
			}
			if !r.Null("mostrecentwebpushinteractiontime") {
				f := r.Float("mostrecentwebpushinteractiontime")
				d.MostRecentPushTime = &f
				if f > 0 {
					d.MostRecentPush = iosmod.ISO(unix(f))
				}
			}
			if names != nil {
				names[d.ID] = d.RegistrableDomain
			}
			boxed := any(d) // one copy for the record and the Where
			rec.Record(boxed)
			desc := i18n.M("ios.resource_load_stats.event", "domain", d.RegistrableDomain)
			if app != "" {
				desc = i18n.M("ios.resource_load_stats.event_app", "domain", d.RegistrableDomain, "app", app)
			}
			iosmod.Event(rec, t, "webkit_visit", desc, p)
			if rec.CheckDomain(d.RegistrableDomain, module.Where{Artifact: p, Time: t, Label: i18n.M("ios.resource_load_stats.what_domain"), Record: boxed}) {
				hit[d.ID] = true
			} else {
				delete(hit, d.ID)
			}
			return nil
		})
		if err != nil {
			rec.FileError(p, err)
		}
		redirect := func(s, d int64, rd Redirect) error {
			rec.Record(rd)
			if hit[s] || hit[d] {
				rec.Flag(model.High, module.Where{Artifact: p, Record: rd},
					i18n.M("ios.resource_load_stats.redirect.title", "from", rd.From, "to", rd.To),
					i18n.M("ios.resource_load_stats.redirect.reason"), i18n.M("ios.resource_load_stats.redirect.benign"))
			}
			return nil
		}
		if join {
			return iosmod.QuerySQL(ctx, db, redirectsQuery, redirectsColumns, func(r iosmod.Row) error {
				return redirect(r.Int("sourcedomainid"), r.Int("todomainid"), Redirect{From: r.Str("from"), To: r.Str("to"), DB: p})
			})
		}
		return iosmod.Query(ctx, db, rec, "TopFrameUniqueRedirectsTo", []string{"sourceDomainID", "toDomainID"}, "ORDER BY rowid", func(r iosmod.Row) error {
			s, d := r.Int("sourcedomainid"), r.Int("todomainid")
			return redirect(s, d, Redirect{From: names[s], To: names[d], DB: p})
		})
	})
}

// redirectsQuery reads the redirects with their domains' names, in the
// order of the table (joinable checks the schema it needs).
const redirectsQuery = `SELECT r.sourceDomainID, r.toDomainID, s.registrableDomain, t.registrableDomain
 FROM TopFrameUniqueRedirectsTo r
 LEFT JOIN ObservedDomains s ON s.domainID = r.sourceDomainID
 LEFT JOIN ObservedDomains t ON t.domainID = r.toDomainID
 ORDER BY r.rowid`

var redirectsColumns = []string{"sourcedomainid", "todomainid", "from", "to"}

// joinable reports whether the redirects can be read with redirectsQuery:
// both tables are real tables with the columns it reads, and domainID is
// ObservedDomains' INTEGER PRIMARY KEY on its own (WebKit's schema), so
// that each redirect joins at most one name per side, through the key.
func joinable(ctx context.Context, db *sqlitex.DB) bool {
	return db.HasColumns(ctx, "TopFrameUniqueRedirectsTo", "sourceDomainID", "toDomainID") &&
		db.HasColumns(ctx, "ObservedDomains", "domainID", "registrableDomain") && db.IntegerKey(ctx, "ObservedDomains", "domainID")
}

func unix(f float64) time.Time { return model.FromUnixSeconds(f) }
