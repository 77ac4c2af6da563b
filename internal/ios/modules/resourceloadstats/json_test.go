package resourceloadstats

import (
	"testing"

	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestRecordsJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 3000, func(d *Domain, dst []byte) ([]byte, error) { return d.AppendJSON(dst) })
	jsonenctest.AsMarshal(t, 1000, func(r *Redirect, dst []byte) ([]byte, error) { return r.AppendJSON(dst) })
}
