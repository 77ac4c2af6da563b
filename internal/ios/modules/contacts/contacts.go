// Package contacts owns the address book (AddressBook.sqlitedb). Email
// addresses and URLs stored on contacts are checked against the indicators.
package contacts

import (
	"context"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates the address book.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/AddressBook/AddressBook.sqlitedb"},
	Dump:   []string{"private/var/mobile/Library/AddressBook/AddressBook.sqlitedb"},
}

// Module reads contacts.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("contacts", 1, Spec)} }

// Value is one contact value (phone, email, URL...) with its person.
type Value struct {
	Value        string `json:"value"`
	Property     int64  `json:"property"`
	PersonID     int64  `json:"person_id"`
	First        string `json:"first,omitempty"`
	Middle       string `json:"middle,omitempty"`
	Last         string `json:"last,omitempty"`
	Organization string `json:"organization,omitempty"`
	DB           string `json:"db"`
}

type person struct{ first, middle, last, org string }

// Run reads ABPerson, then ABMultiValue.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		people := map[int64]person{}
		if err := iosmod.Query(ctx, db, rec, "ABPerson", []string{"ROWID", "First", "Middle", "Last", "Organization"}, "", func(r iosmod.Row) error {
			people[r.Int("rowid")] = person{r.Str("first"), r.Str("middle"), r.Str("last"), r.Str("organization")}
			return nil
		}); err != nil {
			rec.FileError(p, err)
		}
		return iosmod.Query(ctx, db, rec, "ABMultiValue", []string{"record_id", "property", "value"}, "WHERE value IS NOT NULL ORDER BY record_id, UID", func(r iosmod.Row) error {
			pe := people[r.Int("record_id")]
			v := Value{Value: r.Str("value"), Property: r.Int("property"), PersonID: r.Int("record_id"), First: pe.first, Middle: pe.middle, Last: pe.last, Organization: pe.org, DB: p}
			rec.Record(v)
			w := module.Where{Artifact: p, Label: i18n.M("ios.contacts.what_value"), Record: v}
			switch {
			case strings.Contains(v.Value, "@") && !strings.Contains(v.Value, "/"):
				rec.CheckEmail(strings.TrimPrefix(v.Value, "mailto:"), w)
			case strings.Contains(v.Value, "://") || strings.HasPrefix(v.Value, "www."):
				rec.CheckURL(v.Value, w)
			}
			return nil
		})
	})
}
