package indicators

import (
	"context"
	"testing"
)

func TestQuickLoad(t *testing.T) {
	s, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range s.Sources {
		t.Logf("%s: %d files %d indicators", src.Name, len(src.Files), src.Indicators())
	}
	for _, w := range s.Warnings {
		t.Log(w)
	}
	ix := s.Index()
	t.Log(ix.Len(), ix.Any("https://x.free247downloads.com/a"), ix.Any("notfree247downloads.com"))
}
