package capture

// slab allocates the long-lived entries of the pass's tables (observed
// values, records, aggregates: kept until finish, never deleted) in blocks,
// so that they do not share heap spans with the per-packet garbage, which
// would keep those spans in use after the garbage is collected.
type slab[T any] struct{ block []T }

const slabBlock = 128

// alloc returns a pointer to a copy of v, valid as long as it is used.
func (s *slab[T]) alloc(v T) *T {
	if len(s.block) == cap(s.block) {
		s.block = make([]T, 0, slabBlock)
	}
	s.block = append(s.block, v)
	return &s.block[len(s.block)-1]
}
