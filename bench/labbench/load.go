package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spyscan/spyscan/internal/lab"
	"github.com/spyscan/spyscan/internal/lab/auth"
	"github.com/spyscan/spyscan/internal/lab/store"
)

type loadOptions struct {
	users, max, cases int
	scans             int // kept running while the users browse
	inProcess         bool
	duration, think   time.Duration
	dir               string
}

// page is one kind of page a user opens, with how often.
type page struct {
	name   string
	weight int
	path   func(rng *rand.Rand, w *world) string
}

type world struct {
	cases []int64
	scans []int64 // finished scans
}

var pages = []page{
	{"cases list", 25, func(*rand.Rand, *world) string { return "/cases" }},
	{"case page", 30, func(r *rand.Rand, w *world) string { return fmt.Sprintf("/cases/%d", w.cases[r.IntN(len(w.cases))]) }},
	{"case timeline", 10, func(r *rand.Rand, w *world) string {
		return fmt.Sprintf("/cases/%d/timeline", w.cases[r.IntN(len(w.cases))])
	}},
	{"new matches", 10, func(*rand.Rand, *world) string { return "/new" }},
	{"indicators", 5, func(*rand.Rand, *world) string { return "/indicators" }},
	{"scan progress", 15, func(r *rand.Rand, w *world) string {
		return fmt.Sprintf("/scans/%d/progress", w.scans[r.IntN(len(w.scans))])
	}},
	{"scan report", 5, func(r *rand.Rand, w *world) string {
		return fmt.Sprintf("/scans/%d/report?lang=fr", w.scans[r.IntN(len(w.scans))])
	}},
}

func runLoad(ctx context.Context, o loadOptions, log *slog.Logger) error {
	dir := o.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "labbench-load-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	demo, err := filepath.Abs("demo")
	if err != nil {
		return err
	}
	cheap := auth.Params{Memory: 64 * 1024, Time: 3, Threads: 2}
	cfg := lab.Config{DataDir: dir, Listen: "127.0.0.1:0", Roots: []string{demo}, Workers: 2, Hash: cheap, Version: "bench", Log: log}
	if !o.inProcess { // as spyscan serve: scans in worker processes of lower priority (this program again)
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		cfg.ScanWorker = []string{exe}
	}
	l, err := lab.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer l.Close()
	ln, err := l.Listen()
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- l.Serve(sctx, ln) }()
	base := "http://" + ln.Addr().String()

	// Cases, each with the small demo inputs scanned once.
	fmt.Printf("# labbench load: %d users, %d cases, %d scans running, think %s, at most %s or %d requests, server %s\n",
		o.users, o.cases, o.scans, o.think, o.duration, o.max, base)
	w := &world{}
	admin, err := l.Store.CreateUser(ctx, "bench-admin", "x", store.Admin, false)
	if err != nil {
		return err
	}
	var inputs []int64
	t0 := time.Now()
	for i := range o.cases {
		c, err := l.Store.CreateCase(ctx, fmt.Sprintf("Case %d", i), "", admin.ID)
		if err != nil {
			return err
		}
		w.cases = append(w.cases, c.ID)
		var acqs []int64
		for _, in := range []struct{ name, kind string }{{"capture.pcapng", "pcap"}, {"android-bugreport.zip", "android-bugreport"}, {"backup.ab", "android-backup"}} {
			a, err := l.Store.AddAcquisition(ctx, store.Acquisition{CaseID: c.ID, Name: in.name, Origin: store.ServerPath,
				Path: filepath.Join(demo, in.name), Kind: in.kind})
			if err != nil {
				return err
			}
			acqs = append(acqs, a.ID)
		}
		sc, err := l.Queue.Enqueue(ctx, c.ID, acqs, admin.ID, "")
		if err != nil {
			return err
		}
		w.scans = append(w.scans, sc.ID)
		if i == 0 {
			ios, err := l.Store.AddAcquisition(ctx, store.Acquisition{CaseID: c.ID, Name: "ios-backup", Origin: store.ServerPath,
				Path: filepath.Join(demo, "ios-backup"), Kind: "ios-backup"})
			if err != nil {
				return err
			}
			inputs = []int64{ios.ID}
		}
	}
	for _, id := range w.scans {
		if err := waitDone(ctx, l.Store, id); err != nil {
			return err
		}
	}
	fmt.Printf("seeded %d scans in %s\n", len(w.scans), time.Since(t0).Round(time.Second))

	// Users, members of every case.
	h, err := auth.Hash("bench-password-1", cheap)
	if err != nil {
		return err
	}
	for i := range o.users {
		u, err := l.Store.CreateUser(ctx, fmt.Sprintf("user%d", i), h, store.Analyst, false)
		if err != nil {
			return err
		}
		for _, c := range w.cases {
			l.Store.AddMember(ctx, c, u.ID)
		}
	}

	// Scans running all along (two by default): the demo iOS backup,
	// queued again as each ends.
	bg, stopScans := context.WithCancel(ctx)
	defer stopScans()
	var scansDone atomic.Int64
	var sw sync.WaitGroup
	for range o.scans {
		sw.Add(1)
		go func() {
			defer sw.Done()
			for bg.Err() == nil {
				sc, err := l.Queue.Enqueue(bg, w.cases[0], inputs, admin.ID, "")
				if err != nil {
					return
				}
				if waitDone(bg, l.Store, sc.ID) == nil {
					scansDone.Add(1)
				}
			}
		}()
	}

	// The users log in before the clock starts: a login costs an argon2id
	// hash (by design), and twenty at once would be timed as the first
	// pages' wait instead of browsing.
	clients := make([]*http.Client, o.users)
	for i := range o.users {
		if clients[i], err = login(base, fmt.Sprintf("user%d", i), "bench-password-1"); err != nil {
			return err
		}
	}
	var mu sync.Mutex
	times := map[string][]time.Duration{}
	var errs []string
	var count atomic.Int64
	deadline := time.Now().Add(o.duration)
	start := time.Now()
	var uw sync.WaitGroup
	for i := range o.users {
		uw.Add(1)
		go func() {
			defer uw.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			c := clients[i]
			for time.Now().Before(deadline) && count.Add(1) <= int64(o.max) {
				p := pick(rng)
				path := p.path(rng, w)
				t := time.Now()
				st, err := get(c, base+path)
				d := time.Since(t)
				mu.Lock()
				if err != nil || st != 200 {
					errs = append(errs, fmt.Sprintf("%s: %d %v", path, st, err))
				} else {
					times[p.name] = append(times[p.name], d)
					times["all pages"] = append(times["all pages"], d)
				}
				mu.Unlock()
				time.Sleep(time.Duration(rng.Int64N(int64(2 * o.think))))
			}
		}()
	}
	uw.Wait()
	elapsed := time.Since(start)
	running, _ := l.Store.ScansIn(ctx, store.Running)
	stopScans()
	sw.Wait()
	stop()
	if err := <-served; err != nil {
		return err
	}
	fmt.Printf("%d requests in %s (%.0f/s), %d errors; scans finished meanwhile: %d, running at the end: %d\n",
		len(times["all pages"]), elapsed.Round(time.Millisecond), float64(len(times["all pages"]))/elapsed.Seconds(), len(errs),
		scansDone.Load(), len(running))
	for i, e := range errs {
		if i == 5 {
			break
		}
		fmt.Println("  error:", e)
	}
	names := make([]string, 0, len(times))
	for n := range times {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("%-14s %7s %8s %8s %8s %8s\n", "page", "count", "p50 ms", "p95 ms", "p99 ms", "max ms")
	for _, n := range names {
		ds := times[n]
		slices.Sort(ds)
		q := func(f float64) float64 {
			return float64(ds[min(len(ds)-1, int(f*float64(len(ds))))].Microseconds()) / 1000
		}
		fmt.Printf("%-14s %7d %8.1f %8.1f %8.1f %8.1f\n", n, len(ds), q(0.50), q(0.95), q(0.99), float64(ds[len(ds)-1].Microseconds())/1000)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d requests failed", len(errs))
	}
	return nil
}

func pick(rng *rand.Rand) page {
	total := 0
	for _, p := range pages {
		total += p.weight
	}
	n := rng.IntN(total)
	for _, p := range pages {
		if n -= p.weight; n < 0 {
			return p
		}
	}
	return pages[0]
}

func waitDone(ctx context.Context, s *store.Store, id int64) error {
	for ctx.Err() == nil {
		sc, err := s.Scan(ctx, id)
		if err != nil {
			return err
		}
		switch sc.State {
		case store.Done:
			return nil
		case store.Failed, store.Interrupted:
			return fmt.Errorf("scan %d: %s: %s", id, sc.State, sc.Error)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return ctx.Err()
}

var tokenRe = regexp.MustCompile(`name="token" value="([^"]+)"`)

// login logs a browser-like client in through the login page.
func login(base, name, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	u, _ := url.Parse(base)
	keep := func(resp *http.Response) {
		// Loopback over plain HTTP: Go's cookie jar keeps Secure cookies
		// for https only, so they are carried by hand (as browsers that
		// treat 127.0.0.1 as a secure context do).
		for _, ck := range resp.Cookies() {
			ck.Secure = false
			jar.SetCookies(u, []*http.Cookie{ck})
		}
	}
	keep(resp)
	m := tokenRe.FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("no login token")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"token": {string(m[1])}, "name": {name}, "password": {password}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		return nil, fmt.Errorf("login of %s: %d", name, resp.StatusCode)
	}
	keep(resp)
	return c, nil
}

func get(c *http.Client, u string) (int, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}
