// Package safaribrowserstate owns Safari's BrowserState.db: open tabs and
// each tab's back/forward list (session data). Tab URLs and every URL of
// the session history are checked against the indicators.
package safaribrowserstate

import (
	"context"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates BrowserState.db.
var Spec = artifact.Spec{
	Backup: []string{
		"HomeDomain/Library/Safari/BrowserState.db", "HomeDomain/Library/Safari/Profiles/*/BrowserState.db",
		"AppDomain-*/Library/Safari/BrowserState.db", "AppDomain-*/Library/Safari/Profiles/*/BrowserState.db",
	},
	Dump: []string{
		"private/var/mobile/Library/Safari/BrowserState.db",
		"private/var/mobile/Library/Safari/Profiles/*/BrowserState.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Safari/BrowserState.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Safari/Profiles/*/BrowserState.db",
	},
}

// Module reads open tabs.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("safari_browser_state", 2, Spec)} }

// Tab is one open tab with its session history.
type Tab struct {
	Title          string   `json:"tab_title,omitempty"`
	URL            string   `json:"tab_url"`
	VisibleURL     string   `json:"tab_visible_url,omitempty"`
	LastViewed     string   `json:"last_viewed,omitempty"`
	Private        bool     `json:"private_browsing"`
	SessionURLs    []string `json:"session_urls,omitempty"`
	SessionDataErr string   `json:"session_data_error,omitempty"`
	DB             string   `json:"db"`
	// SessionData is the back/forward list as MVT keeps it (empty, not
	// null, when the tab has none).
	SessionData []SessionEntry `json:"session_data"`
}

// SessionEntry is one entry of a tab's back/forward list, under MVT's
// names: the original URL (MVT calls it entry_title), the URL, and the
// size of the entry's opaque state data.
type SessionEntry struct {
	Title      any `json:"entry_title"`
	URL        any `json:"entry_url"`
	DataLength int `json:"data_length"`
}

// Run reads sessions, then tabs.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		sessions := map[string][]byte{}
		if db.HasTable(ctx, "tab_sessions") {
			if err := iosmod.Query(ctx, db, rec, "tab_sessions", []string{"tab_uuid", "session_data"}, "", func(r iosmod.Row) error {
				sessions[r.Str("tab_uuid")] = r.Bytes("session_data")
				return nil
			}); err != nil {
				rec.FileError(p, err)
			}
		}
		cols := []string{"uuid", "title", "url", "user_visible_url", "last_viewed_time", "private_browsing"}
		if db.Columns(ctx, "tabs")["session_data"] { // before iOS 13 the blob was in tabs
			cols = append(cols, "session_data")
		}
		return iosmod.Query(ctx, db, rec, "tabs", cols, "ORDER BY id", func(r iosmod.Row) error {
			t := iosmod.AppleTime(r, "last_viewed_time")
			tab := Tab{Title: r.Str("title"), URL: r.Str("url"), VisibleURL: r.Str("user_visible_url"), LastViewed: iosmod.ISO(t), Private: r.Int("private_browsing") == 1, DB: p}
			blob := sessions[r.Str("uuid")]
			if blob == nil {
				blob = r.Bytes("session_data")
			}
			entries, err := ParseSessionEntries(blob)
			urls := sessionURLs(entries)
			tab.SessionURLs, tab.SessionData = urls, entries
			if err != nil {
				tab.SessionDataErr = err.Error()
			}
			rec.Record(tab)
			iosmod.Event(rec, t, "tab", i18n.M("ios.safari_browser_state.event", "title", tab.Title, "url", tab.URL), p)
			w := module.Where{Artifact: p, Time: t, Label: i18n.M("ios.safari_browser_state.what_tab"), Record: tab}
			rec.CheckURL(tab.URL, w)
			w.Label = i18n.M("ios.safari_browser_state.what_history")
			for _, u := range urls {
				if u != tab.URL {
					rec.CheckURL(u, w)
				}
			}
			return nil
		})
	})
}

// ParseSession reads a tab's session data (a 4-byte header, then a binary
// plist) and returns the distinct URLs of its back/forward list.
func ParseSession(b []byte) ([]string, error) {
	entries, err := ParseSessionEntries(b)
	return sessionURLs(entries), err
}

// ParseSessionEntries reads a tab's session data and returns the entries
// of its back/forward list (an empty list when there is none).
func ParseSessionEntries(b []byte) ([]SessionEntry, error) {
	out := []SessionEntry{}
	if len(b) == 0 {
		return out, nil
	}
	if len(b) > 4 && string(b[:6]) != "bplist" {
		b = b[4:]
	}
	v, err := iosmod.DecodePlist(b)
	if err != nil {
		return out, err
	}
	sh := iosmod.Dict(iosmod.Dict(v)["SessionHistory"])
	for _, e := range iosmod.List(sh["SessionHistoryEntries"]) {
		d := iosmod.Dict(e)
		se := SessionEntry{Title: textOrNil(d["SessionHistoryEntryOriginalURL"]), URL: textOrNil(d["SessionHistoryEntryURL"])}
		switch data := d["SessionHistoryEntryData"].(type) {
		case []byte:
			se.DataLength = len(data)
		case string:
			se.DataLength = len(data)
		}
		out = append(out, se)
	}
	return out, nil
}

// textOrNil returns a plist string, nil for anything else (absent).
func textOrNil(v any) any {
	if s, ok := v.(string); ok {
		return s
	}
	return nil
}

// sessionURLs returns the distinct URLs of entries, original URL first.
func sessionURLs(entries []SessionEntry) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range entries {
		for _, v := range []any{e.Title, e.URL} {
			if u := iosmod.Str(v); u != "" && !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	return out
}
