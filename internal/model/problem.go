package model

import (
	"context"
	"errors"
	"io/fs"
)

// ProblemKind says why something could not be read or checked.
type ProblemKind string

// Problem kinds, for the verdict, the exit code and the report.
const (
	KindMissing     ProblemKind = "missing"     // expected but absent
	KindDamaged     ProblemKind = "damaged"     // corrupt, truncated or malformed
	KindUnsupported ProblemKind = "unsupported" // a format or version not understood
	KindRefused     ProblemKind = "refused"     // unsafe or over a limit: escapes the evidence, a bomb, a hostile view...
	KindUnreadable  ProblemKind = "unreadable"  // the system could not read it (permission, special file, I/O)
	KindPassword    ProblemKind = "password"    // encrypted, and the password is missing or wrong
	KindInterrupted ProblemKind = "interrupted" // the user stopped the scan
	KindInternal    ProblemKind = "internal"    // a defect of spyscan (a module panicked)
	KindIndicators  ProblemKind = "indicators"  // indicators asked for could not be used
)

// Problem is one thing a scan could not read or check, as data: what kind
// of failure, which file, and the one-line cause (English, naming the
// file). The report renders it in its own words from Kind.
type Problem struct {
	Kind  ProblemKind `json:"kind"`
	Path  string      `json:"path,omitempty"` // the file or archive entry concerned
	Cause string      `json:"cause"`
}

// ProblemOf describes err about path.
func ProblemOf(path string, err error) Problem {
	return Problem{Kind: KindOf(err), Path: path, Cause: err.Error()}
}

// KindError is a sentinel error that carries its ProblemKind. Packages
// define their outcome sentinels with NewError, and KindOf finds the kind
// through any wrapping.
type KindError struct {
	kind ProblemKind
	msg  string
}

// NewError returns a sentinel error of the given kind.
func NewError(kind ProblemKind, msg string) error { return &KindError{kind: kind, msg: msg} }

func (e *KindError) Error() string { return e.msg }

// ProblemKind returns the kind of the sentinel.
func (e *KindError) ProblemKind() ProblemKind { return e.kind }

// KindOf classifies an error: interrupted when a cancelled context is in
// its chain (a cancelled copy is never a corrupt input); else the kind of
// the first sentinel made by NewError (or any error with a ProblemKind
// method) in its chain; else missing for fs.ErrNotExist, unreadable for
// fs.ErrPermission; else damaged.
func KindOf(err error) ProblemKind {
	var k interface{ ProblemKind() ProblemKind }
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled): // whatever it interrupted, never the evidence's fault
		return KindInterrupted
	case errors.As(err, &k):
		return k.ProblemKind()
	case errors.Is(err, fs.ErrNotExist):
		return KindMissing
	case errors.Is(err, fs.ErrPermission):
		return KindUnreadable
	}
	return KindDamaged
}
