package datausage

import (
	"testing"

	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestUsageJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, func(u *Usage, dst []byte) ([]byte, error) { return u.AppendJSON(dst) })
}
