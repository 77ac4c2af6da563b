package dumpmod

import "strings"

// ResolverEntry is one component registered in a dumpsys package resolver
// table, under one key of one category: an intent action ("Non-Data
// Actions", "MIME Typed Actions"), a MIME type ("Full MIME Types", "Base
// MIME Types", "Wild MIME Types") or a URI scheme ("Schemes").
type ResolverEntry struct {
	Category    string `json:"resolver_type"`
	Intent      string `json:"intent"` // the key: an action, MIME type or scheme
	PackageName string `json:"package_name"`
	Component   string `json:"component"`
}

// Resolver categories, as named in ResolverEntry.Category.
const (
	NonDataAction   = "non_data_action"
	MIMETypedAction = "mime_typed_action"
)

// resolverCategories names the categories dumpsys prints in a resolver
// table (IntentResolver.dump). A category it may add later is kept under
// its own header.
var resolverCategories = map[string]string{
	"Full MIME Types":    "full_mime_type",
	"Base MIME Types":    "base_mime_type",
	"Wild MIME Types":    "wild_mime_type",
	"Schemes":            "scheme",
	"Non-Data Actions":   NonDataAction,
	"MIME Typed Actions": MIMETypedAction,
}

// IsAction reports whether entries of the category are keyed by an intent
// action (rather than a MIME type or a scheme).
func IsAction(category string) bool {
	return category == NonDataAction || category == MIMETypedAction
}

// Resolver parses every category of one resolver table of the package
// section ("Activity Resolver Table:", "Receiver Resolver Table:"): an app
// registered only for a MIME type or a scheme is listed there and nowhere
// else in the table (MVT reads every category since 2026-08; spyscan read
// "Non-Data Actions" only until 2026-12).
type Resolver struct {
	Title    string // the table header, e.g. "Receiver Resolver Table:"
	Entries  []ResolverEntry
	state    int // 0 before the table, 1 in it, 2 done
	category string
	intent   string
}

// Line feeds one line of the package section.
func (r *Resolver) Line(line string) {
	switch r.state {
	case 0:
		if strings.HasPrefix(line, r.Title) {
			r.state = 1
		}
		return
	case 2:
		return
	}
	t := strings.TrimSpace(line)
	if t == "" {
		return // categories are separated by empty lines
	}
	ind := Indent(line)
	if ind == 0 {
		r.state = 2 // the next top-level part of the package section
		return
	}
	if ind < 6 {
		// "  Full MIME Types:": a category header
		r.intent = ""
		r.category = ""
		if name, ok := strings.CutSuffix(t, ":"); ok {
			r.category = resolverCategories[name]
			if r.category == "" {
				r.category = strings.ToLower(strings.ReplaceAll(name, " ", "_"))
			}
		}
		return
	}
	if r.category == "" {
		return
	}
	// An action header printed mis-indented (dumpstate has been seen to
	// print 15 spaces instead of 6, MVT #852) is still a key: a lone word
	// ending in ':' where a component line has two or more words.
	if ind < 8 || (!strings.ContainsAny(t, " \t") && strings.HasSuffix(t, ":")) {
		r.intent, _ = strings.CutSuffix(t, ":")
		if r.intent == t {
			r.intent = ""
		}
		return
	}
	if r.intent == "" {
		return
	}
	// "417c3b3 com.example/.Receiver", "... (2 filters)" or "... filter 2cc1d4e"
	_, comp, ok := strings.Cut(t, " ")
	if !ok {
		return
	}
	comp, _, _ = strings.Cut(strings.TrimLeft(comp, " "), " ")
	pkg, _, ok := strings.Cut(comp, "/")
	if !ok || !IsPackageName(pkg) {
		return
	}
	r.Entries = append(r.Entries, ResolverEntry{Category: r.category, Intent: r.intent, PackageName: pkg, Component: comp})
}
