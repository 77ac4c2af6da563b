package web

import (
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// reportCache keeps rendered reports, least recently used dropped first
// past a byte budget. A report is keyed by what it is made of: the scan,
// its result folder (a retry writes a new one), the language and the
// stored alerts it shows (reportKey), so a retro-hunt match added or
// withdrawn, or a rescan, is a new key and never serves a stale page,
// whichever process changed the store.
type reportCache struct {
	mu     sync.Mutex
	budget int
	size   int
	order  *list.List // of *cachedReport, most recent first
	byKey  map[[32]byte]*list.Element
}

type cachedReport struct {
	key    [32]byte
	page   []byte
	policy string
}

func newReportCache(budget int) *reportCache {
	return &reportCache{budget: budget, order: list.New(), byKey: map[[32]byte]*list.Element{}}
}

// reportKey names a report: scan, result folder, language and the IDs of
// the stored alerts it shows.
func reportKey(scan int64, resultDir, lang string, alertIDs []int64) [32]byte {
	h := sha256.New()
	var b [8]byte
	put := func(v int64) {
		binary.BigEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	put(scan)
	put(int64(len(resultDir)))
	h.Write([]byte(resultDir))
	put(int64(len(lang)))
	h.Write([]byte(lang))
	put(int64(len(alertIDs)))
	for _, id := range alertIDs {
		put(id)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *reportCache) get(k [32]byte) (*cachedReport, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cachedReport), true
}

func (c *reportCache) put(r *cachedReport) {
	if len(r.page) > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[r.key]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.byKey[r.key] = c.order.PushFront(r)
	c.size += len(r.page)
	for c.size > c.budget {
		old := c.order.Back()
		o := old.Value.(*cachedReport)
		c.order.Remove(old)
		delete(c.byKey, o.key)
		c.size -= len(o.page)
	}
}
