package sms

import (
	"testing"

	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestMessageJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, func(m *Message, dst []byte) ([]byte, error) { return m.AppendJSON(dst) })
}
