package model

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestKindOf(t *testing.T) {
	refused := NewError(KindRefused, "archive entry escapes the root")
	cases := []struct {
		err  error
		want ProblemKind
	}{
		{nil, ""},
		{fmt.Errorf("x.zip: %w: entry %q", refused, "../a"), KindRefused},
		{fmt.Errorf("copy: %w", errors.Join(context.Canceled, refused)), KindInterrupted},
		{fmt.Errorf("x.zip: %w: %w", NewError(KindDamaged, "corrupt or truncated input"), context.Canceled), KindInterrupted},
		{fmt.Errorf("x: %w", context.Canceled), KindInterrupted},
		{&fs.PathError{Op: "open", Path: "a", Err: fs.ErrNotExist}, KindMissing},
		{fmt.Errorf("a: %w", fs.ErrPermission), KindUnreadable},
		{errors.New("database disk image is malformed"), KindDamaged},
	}
	for _, c := range cases {
		if got := KindOf(c.err); got != c.want {
			t.Errorf("KindOf(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	if p := ProblemOf("sms.db", cases[1].err); p.Kind != KindRefused || p.Path != "sms.db" || p.Cause != cases[1].err.Error() {
		t.Errorf("ProblemOf = %+v", p)
	}
}
