// Package shortcuts owns Shortcuts.sqlite: the user's Shortcuts
// automations. The URLs in each shortcut's actions are checked against the
// indicators (a shortcut can open a malicious link on a trigger).
package shortcuts

import (
	"context"
	"fmt"
	"sort"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates Shortcuts.sqlite.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/Shortcuts/Shortcuts.sqlite"},
	Dump:   []string{"private/var/mobile/Library/Shortcuts/Shortcuts.sqlite"},
}

// Module reads shortcuts.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("shortcuts", 1, Spec)} }

// Shortcut is one shortcut record.
type Shortcut struct {
	ID          int64    `json:"shortcut_id"`
	Name        string   `json:"shortcut_name"`
	Description string   `json:"description,omitempty"`
	Created     string   `json:"created,omitempty"`
	Modified    string   `json:"modified,omitempty"`
	Actions     []string `json:"actions,omitempty"`
	ActionURLs  []string `json:"action_urls,omitempty"`
	DB          string   `json:"db"`
}

// Run reads actions, then shortcuts.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		actions := map[int64][]string{}
		urls := map[int64][]string{}
		if err := iosmod.Query(ctx, db, rec, "ZSHORTCUTACTIONS", []string{"ZSHORTCUT", "ZDATA"}, "ORDER BY Z_PK", func(r iosmod.Row) error {
			ids, links, err := ParseActions(r.Bytes("zdata"))
			if err != nil {
				rec.FileError(p, fmt.Errorf("%s: actions of shortcut %d: %w", p, r.Int("zshortcut"), err))
			}
			id := r.Int("zshortcut")
			actions[id] = append(actions[id], ids...)
			urls[id] = append(urls[id], links...)
			return nil
		}); err != nil {
			rec.FileError(p, err)
		}
		return iosmod.Query(ctx, db, rec, "ZSHORTCUT", []string{"Z_PK", "ZNAME", "ZACTIONSDESCRIPTION", "ZCREATIONDATE", "ZMODIFICATIONDATE"}, "ORDER BY Z_PK", func(r iosmod.Row) error {
			s := Shortcut{ID: r.Int("z_pk"), Name: r.Str("zname"), Description: r.Str("zactionsdescription"), DB: p}
			s.Actions, s.ActionURLs = actions[s.ID], urls[s.ID]
			c, m := iosmod.AppleTime(r, "zcreationdate"), iosmod.AppleTime(r, "zmodificationdate")
			s.Created, s.Modified = iosmod.ISO(c), iosmod.ISO(m)
			rec.Record(s)
			desc := i18n.M("ios.shortcuts.event", "name", s.Name, "description", s.Description, "urls", fmt.Sprint(s.ActionURLs))
			iosmod.Event(rec, c, "shortcut_created", desc, p)
			iosmod.Event(rec, m, "shortcut_modified", desc, p)
			for _, u := range s.ActionURLs {
				rec.CheckURL(u, module.Where{Artifact: p, Time: m, Label: i18n.M("ios.shortcuts.what_url"), Record: s})
			}
			return nil
		})
	})
}

// ParseActions reads a shortcut's action list (a plist array of
// dictionaries) and returns the action identifiers and every link found in
// the string values of their parameters.
func ParseActions(data []byte) (ids, links []string, err error) {
	if len(data) == 0 {
		return nil, nil, nil
	}
	v, err := iosmod.DecodePlist(data)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range iosmod.List(v) {
		d := iosmod.Dict(a)
		if id := iosmod.Str(d["WFWorkflowActionIdentifier"]); id != "" {
			ids = append(ids, id)
		}
		var strs []string
		walk(d["WFWorkflowActionParameters"], &strs, 0)
		for _, s := range strs {
			links = append(links, iosmod.Links(s)...)
		}
	}
	return ids, dedupe(links), nil
}

// walk collects strings, depth-bounded against hostile nesting.
func walk(v any, out *[]string, depth int) {
	if depth > 32 {
		return
	}
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case []any:
		for _, e := range x {
			walk(e, out, depth+1)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walk(x[k], out, depth+1)
		}
	}
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
