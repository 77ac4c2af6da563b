package netsum

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"
)

// Bounds of the beaconing detector.
const (
	maxSeries       = 200_000 // destinations tracked
	maxTimesPerDest = 2048    // connection times kept per destination
	minBeacons      = 10      // connections needed before judging
	minPeriod       = 5 * time.Second
	periodicShare   = 0.8 // share of intervals within tolerance of the median
)

// Beacons collects connection start times per (client, destination, port)
// to find periodic connections.
type Beacons struct {
	m       map[string]*series
	key     []byte
	Dropped int
}

type series struct {
	client, dest string
	port         int
	times        []int64 // unix milliseconds
	total        int
}

// Beacon is one destination contacted periodically.
type Beacon struct {
	Client      string        `json:"client"`
	Destination string        `json:"destination"`
	Port        int           `json:"port"`
	Connections int           `json:"connections"`
	Period      time.Duration `json:"period_ns"`
	PeriodText  string        `json:"period"`
	Periodic    float64       `json:"periodic_share"`
	First, Last time.Time
}

// NewBeacons returns an empty detector.
func NewBeacons() *Beacons { return &Beacons{m: map[string]*series{}} }

// Add records one connection from client to dest:port at ts.
func (b *Beacons) Add(client, dest []byte, port int, ts time.Time) {
	if ts.IsZero() {
		return
	}
	b.key = append(b.key[:0], client...)
	b.key = append(b.key, '|')
	b.key = append(b.key, dest...)
	b.key = append(b.key, '|')
	b.key = strconv.AppendInt(b.key, int64(port), 10)
	s, ok := b.m[string(b.key)]
	if !ok {
		if len(b.m) >= maxSeries {
			b.Dropped++
			return
		}
		s = &series{client: string(client), dest: string(dest), port: port}
		b.m[string(b.key)] = s
	}
	s.total++
	if len(s.times) < maxTimesPerDest {
		s.times = append(s.times, ts.UnixMilli())
	}
}

// Find returns the periodic destinations, ordered by destination.
func (b *Beacons) Find() []Beacon {
	var out []Beacon
	for _, s := range b.m {
		if bc, ok := s.judge(); ok {
			out = append(out, bc)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Destination != out[j].Destination {
			return out[i].Destination < out[j].Destination
		}
		if out[i].Port != out[j].Port {
			return out[i].Port < out[j].Port
		}
		return out[i].Client < out[j].Client
	})
	return out
}

func (s *series) judge() (Beacon, bool) {
	if len(s.times) < minBeacons {
		return Beacon{}, false
	}
	t := slices.Clone(s.times)
	slices.Sort(t)
	iv := make([]int64, 0, len(t)-1)
	for i := 1; i < len(t); i++ {
		iv = append(iv, t[i]-t[i-1])
	}
	sorted := slices.Clone(iv)
	slices.Sort(sorted)
	med := sorted[len(sorted)/2]
	if time.Duration(med)*time.Millisecond < minPeriod {
		return Beacon{}, false
	}
	tol := max(med/10, 2000) // 10 %, at least two seconds of jitter
	near := 0
	for _, d := range iv {
		if d >= med-tol && d <= med+tol {
			near++
		}
	}
	share := float64(near) / float64(len(iv))
	if share < periodicShare {
		return Beacon{}, false
	}
	p := time.Duration(med) * time.Millisecond
	return Beacon{Client: s.client, Destination: s.dest, Port: s.port, Connections: s.total,
		Period: p, PeriodText: p.Round(time.Second).String(), Periodic: share,
		First: time.UnixMilli(t[0]).UTC(), Last: time.UnixMilli(t[len(t)-1]).UTC()}, true
}

// Describe is the alert message of a beacon.
func (bc Beacon) Describe() string {
	return fmt.Sprintf("%s connected to %s port %d %d times, every %s (%.0f%% of intervals regular)",
		bc.Client, bc.Destination, bc.Port, bc.Connections, bc.PeriodText, bc.Periodic*100)
}
