package scan

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/module"
)

// nameRE is the form of a module name: it becomes a file name and a CLI
// argument.
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestRegistryNames: every module has a unique, well-formed name, a
// version, and applies to at least one kind of acquisition.
func TestRegistryNames(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Modules() {
		n := m.Name()
		if !nameRE.MatchString(n) {
			t.Errorf("module name %q is not lower_snake_case", n)
		}
		if seen[n] {
			t.Errorf("module name %q is registered twice", n)
		}
		seen[n] = true
		if m.Version() < 1 {
			t.Errorf("%s: version %d, want ≥ 1", n, m.Version())
		}
		if !slices.ContainsFunc(acquisition.Kinds(), m.Applies) {
			t.Errorf("%s applies to no kind of acquisition", n)
		}
	}
}

// pkgOf returns the import path of the package that defines m (through a
// wrapper such as a shared pass, which has Unwrap).
func pkgOf(m module.Info) string {
	for {
		u, ok := m.(interface{ Unwrap() module.Info })
		if !ok {
			break
		}
		m = u.Unwrap()
	}
	t := reflect.TypeOf(m)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath()
}

// TestEveryModulePackageRegistered walks internal/*/modules/*: each package
// there must give at least one registered module, so removing a registry
// line (or forgetting to add one) fails here. Helper packages live outside
// modules/.
func TestEveryModulePackageRegistered(t *testing.T) {
	registered := map[string]bool{}
	for _, m := range Modules() {
		registered[pkgOf(m)] = true
	}
	dirs, err := filepath.Glob(filepath.Join("..", "*", "modules", "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !hasGoCode(t, d) {
			continue
		}
		n++
		rel, err := filepath.Rel("..", d)
		if err != nil {
			t.Fatal(err)
		}
		pkg := "github.com/spyscan/spyscan/internal/" + filepath.ToSlash(rel)
		if !registered[pkg] {
			t.Errorf("package %s has no module in the registry (internal/scan/registry_*mods.go), or is a helper that belongs outside modules/", pkg)
		}
		delete(registered, pkg)
	}
	if n < 50 {
		t.Errorf("found only %d module packages under internal/*/modules/", n)
	}
	for pkg := range registered {
		t.Errorf("registered module from %s, outside internal/*/modules/", pkg)
	}
}

// hasGoCode reports whether dir holds non-test Go files.
func hasGoCode(t *testing.T, dir string) bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}

func TestSelect(t *testing.T) {
	mods := Modules()
	got, err := Select(mods, []string{"sms", " dumpsys_packages", "network_dns", "sms"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range got {
		names = append(names, m.Name())
	}
	// registry order, each once
	if want := []string{"sms", "dumpsys_packages", "network_dns"}; !slices.Equal(names, want) {
		t.Errorf("selected %q, want %q", names, want)
	}
	if _, err := Select(mods, []string{"sms", "nope", "also_not"}); err == nil || !strings.Contains(err.Error(), "also_not, nope") {
		t.Errorf("unknown names: %v", err)
	}
}
