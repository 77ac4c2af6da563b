package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/datausage"
	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestDataUsageUsageJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, func(u *datausage.Usage, dst []byte) ([]byte, error) { return u.AppendJSON(dst) })
}
