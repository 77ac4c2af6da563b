package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the folder holding go.mod, above this package.
func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("go.mod not found above the package")
		}
		dir = up
	}
}

// keyUse is one message key written as a literal in the source, with the
// argument names written as literals next to it (nil when they cannot all be
// read from the source).
type keyUse struct {
	pos   string
	key   string
	names []string
	n     bool // the call gives a count (N, or an "n" argument)
}

// sourceKeyUses finds every i18n.M("key", "name", v...) call (and i18n.S), every
// catalog .T("key", ...) / .N("key", n, ...) call in non-test Go files of
// the repository, and every {{... .T "key"}} / {{... .N "key" ...}} of its
// templates.
func sourceKeyUses(t *testing.T) []keyUse {
	root := repoRoot(t)
	var uses []keyUse
	tmplKey := regexp.MustCompile(`\.(T|N) "([^"]+)"`)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case strings.HasSuffix(name, ".tmpl"):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
				uses = append(uses, keyUse{pos: rel, key: m[2], n: m[1] == "N"})
			}
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"):
			u, err := goKeyUses(p, rel)
			if err != nil {
				return err
			}
			uses = append(uses, u...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return uses
}

func goKeyUses(path, rel string) ([]keyUse, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	inI18n := f.Name.Name == "i18n"
	importsI18n := inI18n
	for _, im := range f.Imports {
		if strings.HasSuffix(im.Path.Value, `/internal/i18n"`) {
			importsI18n = true
		}
	}
	if !importsI18n {
		return nil, nil
	}
	var uses []keyUse
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		var fn string
		switch x := call.Fun.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && id.Name == "i18n" && (x.Sel.Name == "M" || x.Sel.Name == "S") {
				fn = "M"
			} else if x.Sel.Name == "T" || x.Sel.Name == "N" {
				fn = x.Sel.Name
			}
		case *ast.Ident:
			if inI18n && (x.Name == "M" || x.Name == "S") {
				fn = "M"
			}
		}
		if fn == "" {
			return true
		}
		key, ok := stringLit(call.Args[0])
		if !ok {
			return true // a key built at run time: checked by the rendering tests
		}
		u := keyUse{pos: rel + ":" + strconv.Itoa(fset.Position(call.Pos()).Line), key: key, n: fn == "N"}
		pairs := call.Args[1:]
		if fn == "N" && len(pairs) > 0 {
			pairs = pairs[1:]
		}
		if call.Ellipsis.IsValid() {
			pairs = nil
			u.names = nil
		} else {
			u.names = []string{}
			for i := 0; i < len(pairs); i += 2 {
				name, ok := stringLit(pairs[i])
				if !ok {
					u.names = nil
					break
				}
				u.names = append(u.names, name)
				if name == "n" {
					u.n = true
				}
			}
		}
		uses = append(uses, u)
		return true
	})
	return uses, nil
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// TestSourceKeysExist fails when the source uses a message key that the
// English catalog lacks, or gives a message other arguments than its
// placeholders: a typo would otherwise show as "[key]" or "{name}" in a
// report.
func TestSourceKeysExist(t *testing.T) {
	en := Get("en")
	uses := sourceKeyUses(t)
	if len(uses) < 50 {
		t.Fatalf("found only %d uses of message keys: is the source scan broken?", len(uses))
	}
	for _, u := range uses {
		m, ok := en.Messages[u.key]
		if !ok {
			t.Errorf("%s: key %q is not in locales/en.json", u.pos, u.key)
			continue
		}
		if u.names == nil {
			continue
		}
		want := Placeholders(m.Other)
		got := slices.Clone(u.names)
		if u.n || m.Plural() {
			got, want = withN(got), withN(want)
		}
		slices.Sort(got)
		got = slices.Compact(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q is given arguments %v, its English text has placeholders %v", u.pos, u.key, got, want)
		}
	}
}
