package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/safarihistory"
	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestSafariHistoryVisitJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, func(v *safarihistory.Visit, dst []byte) ([]byte, error) { return v.AppendJSON(dst) })
}
