package auth

import (
	"sync"
	"time"
)

// Limiter counts failed logins per key (a client address, an account
// name) over a sliding window: a key with Max failures in the window is
// refused until the oldest of them leaves it. Memory is bounded: at most
// MaxKeys keys are tracked, expired ones are dropped first, and when all
// are live the key with the oldest failure goes.
type Limiter struct {
	Max     int
	Window  time.Duration
	MaxKeys int
	Now     func() time.Time

	mu   sync.Mutex
	fail map[string][]time.Time
}

// NewLimiter returns a limiter of max failures per window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, MaxKeys: 100_000, Now: time.Now, fail: map[string][]time.Time{}}
}

// Allow reports whether every key may try again now, and if not, how long
// to wait.
func (l *Limiter) Allow(keys ...string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	var wait time.Duration
	for _, k := range keys {
		ts := l.live(k, now)
		if len(ts) >= l.Max {
			if w := ts[len(ts)-l.Max].Add(l.Window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait == 0, wait
}

// Fail records a failed attempt for every key.
func (l *Limiter) Fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	for _, k := range keys {
		if _, known := l.fail[k]; !known && len(l.fail) >= l.MaxKeys {
			l.evict(now)
		}
		ts := append(l.live(k, now), now)
		if len(ts) > l.Max {
			ts = ts[len(ts)-l.Max:]
		}
		l.fail[k] = ts
	}
}

// Reset forgets a key's failures (after a successful login).
func (l *Limiter) Reset(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.fail, k)
	}
}

// live returns k's failures still in the window, dropping the others.
func (l *Limiter) live(k string, now time.Time) []time.Time {
	ts := l.fail[k]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.Window {
		i++
	}
	if i == len(ts) {
		delete(l.fail, k)
		return nil
	}
	return ts[i:]
}

// evict drops expired keys, else the key whose newest failure is oldest.
func (l *Limiter) evict(now time.Time) {
	oldest, oldestAt, found := "", now, false
	for k := range l.fail {
		ts := l.live(k, now)
		if ts != nil && (!found || ts[len(ts)-1].Before(oldestAt)) {
			oldest, oldestAt, found = k, ts[len(ts)-1], true
		}
	}
	if len(l.fail) >= l.MaxKeys {
		delete(l.fail, oldest)
	}
}
