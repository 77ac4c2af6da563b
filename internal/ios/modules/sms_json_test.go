package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/sms"
	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestSMSMessageJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, func(m *sms.Message, dst []byte) ([]byte, error) { return m.AppendJSON(dst) })
}
