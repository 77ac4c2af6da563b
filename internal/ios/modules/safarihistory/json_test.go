package safarihistory

import (
	"testing"

	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestVisitJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, func(v *Visit, dst []byte) ([]byte, error) { return v.AppendJSON(dst) })
}
