package dumpmod

import "strings"

// ResolverEntry is one component registered for an intent action in the
// "Non-Data Actions" part of a dumpsys package resolver table.
type ResolverEntry struct {
	Intent      string `json:"intent"`
	PackageName string `json:"package_name"`
	Component   string `json:"component"`
}

// Resolver parses the "Non-Data Actions" of one resolver table of the
// package section ("Activity Resolver Table:", "Receiver Resolver Table:").
type Resolver struct {
	Title   string // the table header, e.g. "Receiver Resolver Table:"
	Entries []ResolverEntry
	state   int // 0 before the table, 1 in it, 2 in its Non-Data Actions, 3 done
	intent  string
}

// Line feeds one line of the package section.
func (r *Resolver) Line(line string) {
	switch r.state {
	case 0:
		if strings.HasPrefix(line, r.Title) {
			r.state = 1
		}
		return
	case 1:
		if strings.HasPrefix(line, "  Non-Data Actions:") {
			r.state = 2
		} else if line != "" && line[0] != ' ' {
			r.state = 3 // next top-level table: this one had no such part
		}
		return
	case 3:
		return
	}
	if strings.TrimSpace(line) == "" {
		r.state = 3
		return
	}
	ind := Indent(line)
	t := strings.TrimSpace(line)
	if ind < 8 {
		if strings.HasSuffix(t, ":") {
			r.intent = strings.TrimSuffix(t, ":")
		} else {
			r.intent = ""
		}
		return
	}
	// An action header printed mis-indented (dumpstate has been seen to
	// print 15 spaces instead of 6, MVT #852) is still an action: a lone
	// word ending in ':' where a receiver line has two or more words.
	if !strings.ContainsAny(t, " \t") && strings.HasSuffix(t, ":") {
		r.intent = strings.TrimSuffix(t, ":")
		return
	}
	if r.intent == "" {
		return
	}
	// "417c3b3 com.example/.Receiver filter 2cc1d4e" or "(2 filters)"
	fields := strings.Fields(t)
	if len(fields) < 2 {
		return
	}
	comp := fields[1]
	pkg, _, ok := strings.Cut(comp, "/")
	if !ok || !IsPackageName(pkg) {
		return
	}
	r.Entries = append(r.Entries, ResolverEntry{Intent: r.intent, PackageName: pkg, Component: comp})
}
