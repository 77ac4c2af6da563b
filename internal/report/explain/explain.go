// Package explain turns the problems of a scan (selftest.Check and each
// module's per-file errors, typed by model.ProblemKind) into causes a
// person can act on: grouped by input and kind, counted ("1,075 of the
// 1,089 files the backup lists are missing: the backup is incomplete"),
// each with the fix that fits. The HTML report and the terminal summary
// render them; the texts are catalog messages (cause.*, fix.*).
package explain

import (
	"sort"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/selftest"
)

// Cause is one reason a scan could not read or check everything.
type Cause struct {
	Kind     model.ProblemKind
	Input    string    // the input concerned, "" for the whole scan
	Files    int       // distinct files concerned
	Modules  []string  // modules concerned, sorted
	Examples []Example // a few of the files, with the error read
	Text     i18n.Msg  // what happened, counted
	Fix      i18n.Msg  // what to do about it
}

// Example is one file a cause concerns.
type Example struct {
	Module string
	Path   string
	Error  string
}

// MaxExamples is the number of files listed per cause; the modules' JSON
// files list them all.
const MaxExamples = 5

// kindOrder lists the kinds from the one to fix first (nothing else can be
// judged while the password is wrong) to the least pressing.
var kindOrder = []model.ProblemKind{model.KindPassword, model.KindIndicators, model.KindInterrupted,
	model.KindInternal, model.KindMissing, model.KindDamaged, model.KindRefused, model.KindUnreadable,
	model.KindUnsupported}

func rank(k model.ProblemKind) int {
	for i, x := range kindOrder {
		if x == k {
			return i
		}
	}
	return len(kindOrder)
}

type key struct {
	input string
	kind  model.ProblemKind
	// special is the selftest message key of a problem that is not about
	// files (the canary, no indicators, nothing read...), "" for files.
	special string
}

type acc struct {
	cause   Cause
	files   map[string]bool
	modules map[string]bool
	detail  string // the first cause text, for problems that are not files
}

// Explain lists the causes of a report's problems, most pressing first.
func Explain(r *model.Report) []Cause {
	groups := map[key]*acc{}
	var order []key
	only := "" // a single input: what module results without one are about
	if len(r.Info.Inputs) == 1 {
		only = r.Info.Inputs[0].Path
	}
	add := func(k key, module, path, errText string) {
		if k.input == "" && module != "" {
			k.input = only
		}
		g := groups[k]
		if g == nil {
			g = &acc{cause: Cause{Kind: k.kind, Input: k.input}, files: map[string]bool{}, modules: map[string]bool{}, detail: errText}
			groups[k] = g
			order = append(order, k)
		}
		if module != "" {
			g.modules[module] = true
		}
		if path != "" && !g.files[path] {
			g.files[path] = true
			if len(g.cause.Examples) < MaxExamples {
				g.cause.Examples = append(g.cause.Examples, Example{Module: module, Path: path, Error: withoutPath(path, errText)})
			}
		}
	}
	for _, p := range selftest.Check(r) {
		switch p.Key {
		case "problem.module_partial":
			continue // counted file by file below
		case "problem.input_part", "problem.input":
			add(key{p.Input, p.Kind, ""}, p.Module, p.Path, p.Cause)
		default:
			add(key{p.Input, p.Kind, p.Key}, p.Module, p.Path, p.Cause)
		}
	}
	for _, m := range r.Modules {
		for _, e := range m.Errors {
			kind := e.Kind
			if kind == "" {
				kind = model.KindDamaged // results written before problems were typed
			}
			add(key{m.Input, kind, ""}, m.Module, e.Path, e.Error)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if rank(a.kind) != rank(b.kind) {
			return rank(a.kind) < rank(b.kind)
		}
		return a.input < b.input
	})
	inputs := map[string]model.Input{}
	for _, in := range r.Info.Inputs {
		inputs[in.Path] = in
	}
	out := make([]Cause, 0, len(order))
	for _, k := range order {
		g := groups[k]
		c := g.cause
		c.Files = len(g.files)
		for m := range g.modules {
			c.Modules = append(c.Modules, m)
		}
		sort.Strings(c.Modules)
		c.Text, c.Fix = words(k, c, g, inputs[k.input])
		out = append(out, c)
	}
	return out
}

// words says a cause and its fix.
func words(k key, c Cause, g *acc, in model.Input) (text, fix i18n.Msg) {
	detail := g.detail
	var input any = InputName(k.input)
	if k.input == "" {
		input = i18n.M("cause.all_inputs")
	}
	mods := i18n.M("literal", "text", joinShort(c.Modules))
	switch k.special {
	case "problem.canary":
		return i18n.M("cause.canary"), i18n.M("fix.report_defect")
	case "problem.no_indicators":
		return i18n.M("cause.no_indicators"), i18n.M("fix.indicators")
	case "problem.nothing_read":
		return i18n.M("cause.nothing_read"), i18n.M("fix.nothing_read")
	case "problem.module_read_nothing":
		return i18n.M("cause.read_nothing", "n", len(c.Modules), "input", input, "modules", mods), i18n.M("fix.read_nothing")
	case "problem.indicators":
		return i18n.M("cause.indicators", "error", detail), i18n.M("fix.indicators")
	case "problem.module_failed":
		_, fix = words(key{k.input, k.kind, ""}, c, g, in)
		return i18n.M("cause.module_failed", "n", len(c.Modules), "input", input, "modules", mods, "error", detail), fix
	}
	n := c.Files
	switch k.kind {
	case model.KindPassword:
		return i18n.M("cause.password", "input", input), i18n.M("fix.password")
	case model.KindIndicators:
		return i18n.M("cause.indicators", "error", detail), i18n.M("fix.indicators")
	case model.KindInterrupted:
		return i18n.M("cause.interrupted"), i18n.M("fix.interrupted")
	case model.KindInternal:
		return i18n.M("cause.internal", "n", max(len(c.Modules), 1), "modules", mods), i18n.M("fix.report_defect")
	case model.KindMissing:
		listed, _ := strconv.Atoi(in.Meta["files_listed"])
		missing, _ := strconv.Atoi(in.Meta["files_missing"])
		if missing > 0 && listed > 0 {
			return i18n.M("cause.missing_backup", "n", missing, "listed", i18n.M("count", "n", listed), "input", input,
				"needed", i18n.M("cause.needed", "n", n)), i18n.M("fix.new_backup")
		}
		if n == 0 || g.files[k.input] { // a whole input or module, not files
			return i18n.M("cause.missing_input", "input", input, "error", detail), i18n.M("fix.missing")
		}
		if len(c.Modules) == 0 { // files the acquisition always holds, found absent when it was opened
			return i18n.M("cause.missing_files", "n", n, "input", input, "files", fileList(g)), i18n.M("fix.missing")
		}
		return i18n.M("cause.missing", "n", n, "input", input, "modules", mods), i18n.M("fix.missing")
	case model.KindRefused:
		return i18n.M("cause.refused", "n", max(n, 1), "input", input), i18n.M("fix.refused")
	case model.KindUnreadable:
		return i18n.M("cause.unreadable", "n", max(n, 1), "input", input), i18n.M("fix.unreadable")
	case model.KindUnsupported:
		if n == 0 || g.files[k.input] { // a whole input no opener recognised
			return i18n.M("cause.unrecognised_input", "input", input, "error", detail), i18n.M("fix.unrecognised_input")
		}
		if len(c.Modules) == 0 && n > 0 { // files of the input that no module reads
			return i18n.M("cause.not_read", "n", n, "input", input, "files", fileList(g)), i18n.M("fix.not_read")
		}
		return i18n.M("cause.unsupported", "n", max(n, 1), "input", input), i18n.M("fix.unsupported")
	}
	if n == 0 {
		return i18n.M("cause.damaged_input", "input", input, "error", detail), i18n.M("fix.damaged")
	}
	return i18n.M("cause.damaged", "n", n, "input", input), i18n.M("fix.damaged")
}

// withoutPath drops the leading mentions of path from an error that is
// shown next to it ("p: open p: absent" reads "absent").
func withoutPath(path, err string) string {
	for {
		switch {
		case strings.HasPrefix(err, path+": "):
			err = err[len(path)+2:]
		case strings.HasPrefix(err, "open "+path+": "):
			err = err[len("open ")+len(path)+2:]
		default:
			return err
		}
	}
}

// fileList names a cause's files, sorted, as joinShort does.
func fileList(g *acc) i18n.Msg {
	files := make([]string, 0, len(g.files))
	for f := range g.files {
		files = append(files, f)
	}
	sort.Strings(files)
	return i18n.M("literal", "text", joinShort(files))
}

// joinShort names at most four modules, then how many more.
func joinShort(names []string) string {
	const most = 4
	s := ""
	for i, n := range names {
		if i == most {
			return s + ", +" + strconv.Itoa(len(names)-most)
		}
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// InputName is the last element of an input path, as a person names it.
func InputName(p string) string {
	for len(p) > 1 && (p[len(p)-1] == '/' || p[len(p)-1] == '\\') {
		p = p[:len(p)-1]
	}
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' || p[i] == '\\' {
			return p[i+1:]
		}
	}
	return p
}
