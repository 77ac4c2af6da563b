// Package calls owns CallHistory.storedata: phone and FaceTime calls. Call
// addresses that are email addresses (FaceTime, iMessage audio) are checked
// against the indicators.
package calls

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

// Spec locates the call history.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/CallHistoryDB/CallHistory.storedata"},
	Dump:   []string{"private/var/mobile/Library/CallHistoryDB/CallHistory.storedata"},
}

// Module reads calls.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("calls", 1, Spec)} }

// Call is one call record.
type Call struct {
	ID         int64   `json:"id"`
	Date       string  `json:"date"`
	Duration   float64 `json:"duration"`
	Address    string  `json:"address"`
	Location   string  `json:"location,omitempty"`
	Provider   string  `json:"provider,omitempty"`
	Answered   bool    `json:"answered"`
	Originated bool    `json:"originated"`
	DB         string  `json:"db"`
}

// Run reads ZCALLRECORD.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		return iosmod.Query(ctx, db, rec, "ZCALLRECORD", []string{"Z_PK", "ZDATE", "ZDURATION", "ZADDRESS", "ZLOCATION", "ZSERVICE_PROVIDER", "ZANSWERED", "ZORIGINATED"}, "ORDER BY ZDATE, Z_PK", func(r iosmod.Row) error {
			t := iosmod.AppleTime(r, "zdate")
			c := Call{ID: r.Int("z_pk"), Date: iosmod.ISO(t), Duration: r.Float("zduration"), Address: r.Str("zaddress"), Location: r.Str("zlocation"),
				Provider: r.Str("zservice_provider"), Answered: r.Int("zanswered") == 1, Originated: r.Int("zoriginated") == 1, DB: p}
			rec.Record(c)
			dir := "ios.calls.event_from"
			if c.Originated {
				dir = "ios.calls.event_to"
			}
			iosmod.Event(rec, t, "call", i18n.M(dir, "address", c.Address, "provider", c.Provider, "seconds", fmt.Sprintf("%.0f", c.Duration)), p)
			if strings.Contains(c.Address, "@") {
				rec.CheckEmail(c.Address, module.Where{Artifact: p, Time: t, Label: i18n.M("ios.calls.what_address"), Record: c})
			}
			return nil
		})
	})
}
