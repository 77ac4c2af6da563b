package aqffiles

import (
	"testing"

	"github.com/spyscan/spyscan/internal/jsonenc/jsonenctest"
)

func TestFileJSONAsMarshal(t *testing.T) {
	jsonenctest.AsMarshal(t, 5000, func(f *File, dst []byte) ([]byte, error) { return f.AppendJSON(dst) })
}
