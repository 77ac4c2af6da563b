package module

import (
	"slices"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// Applier says which kinds of acquisition a module reads. An iOS
// artifact.Spec is one (it applies where it has patterns); Kinds and
// AppliesFunc make one from a list of kinds or a function.
type Applier interface {
	Applies(kind acquisition.Kind) bool
}

// Kinds returns an Applier for exactly these kinds.
func Kinds(kinds ...acquisition.Kind) Applier { return kindList(kinds) }

type kindList []acquisition.Kind

func (l kindList) Applies(k acquisition.Kind) bool { return slices.Contains(l, k) }

// AppliesFunc is an Applier written as a function.
type AppliesFunc func(kind acquisition.Kind) bool

// Applies implements Applier.
func (f AppliesFunc) Applies(k acquisition.Kind) bool { return f(k) }

// Base gives a module its Name, Version and Applies: a module embeds it,
// sets it in its constructor with NewBase, and writes only Run.
type Base struct {
	name    string
	version int
	on      Applier
}

// NewBase returns the Base of the module called name, at version, which
// reads the kinds of acquisition on accepts.
func NewBase(name string, version int, on Applier) Base {
	return Base{name: name, version: version, on: on}
}

// Name implements Module.
func (b Base) Name() string { return b.name }

// Version implements Module.
func (b Base) Version() int { return b.version }

// Applies implements Module. A zero Base applies to nothing.
func (b Base) Applies(k acquisition.Kind) bool { return b.on != nil && b.on.Applies(k) }
