package packages

import (
	"testing"

	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

// TestPackageJSONAsMarshal: a package's AppendJSON writes what json.Marshal
// writes, on thousands of filled packages (every field, permissions of any
// type and grant included).
func TestPackageJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, func(p *Package, dst []byte) ([]byte, error) { return p.AppendJSON(dst) })
}
