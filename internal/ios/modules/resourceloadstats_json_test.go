package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/resourceloadstats"
	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestResourceLoadStatsRecordsJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 3000, func(d *resourceloadstats.Domain, dst []byte) ([]byte, error) { return d.AppendJSON(dst) })
	jsonenctest.AsMarshal(t, 1000, func(r *resourceloadstats.Redirect, dst []byte) ([]byte, error) { return r.AppendJSON(dst) })
}
