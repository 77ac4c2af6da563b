// Package lab assembles `spyscan serve`: the case store (store), the lab's
// indicator set (iocset), the background scan queue (queue), retro-hunt
// (retro) and the web interface (web), over one data folder:
//
//	DATA/lab.db                      the SQLite store (unless a PostgreSQL DSN is given)
//	DATA/acquisitions/case-N/...     uploaded acquisitions, read-only
//	DATA/results/case-N/scan-M-A/    result folders, as `spyscan scan` writes them
//	DATA/indicators/cache/           the lab's `iocs update` cache
//	DATA/indicators/added/           indicator files added from the interface
//
// It also owns the server's life: listening (127.0.0.1 by default, TLS
// when given a certificate and key, and never beyond this machine
// without TLS), recovering the scans a stopped server left running,
// running a retro-hunt when the indicators changed, and stopping cleanly.
package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/lab/auth"
	"github.com/spyscan/spyscan/internal/lab/iocset"
	"github.com/spyscan/spyscan/internal/lab/queue"
	"github.com/spyscan/spyscan/internal/lab/retro"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/lab/web"
	"github.com/spyscan/spyscan/internal/module"
)

// Config is how the lab runs.
type Config struct {
	DataDir    string
	DSN        string // PostgreSQL; "" for SQLite in DataDir
	Listen     string // host:port; "" for 127.0.0.1:8080
	TLSCert    string
	TLSKey     string
	Roots      []string // server folders acquisitions may be added from
	Workers    int
	MaxQueued  int
	MaxUpload  int64
	IOCPaths   []string
	NoEmbedded bool
	IndexURL   string
	Version    string
	Log        *slog.Logger
	Hash       auth.Params // zero: auth.DefaultParams
	// UpdateIndicators replaces the download of `iocs update` (tests).
	UpdateIndicators func(context.Context, indicators.UpdateOptions) ([]indicators.UpdateResult, error)
	// RecheckEvery is how often the indicator sources are read again to
	// notice a change made outside the interface; 0: 5 minutes.
	RecheckEvery time.Duration
	// Modules replaces the scan's module list (tests); nil: every module.
	Modules []module.Module
	// ScanWorker is the command running one scan in a process of lower
	// priority (queue.Config.Worker); empty: scans run in this process.
	ScanWorker []string
}

// Lab is an opened lab.
type Lab struct {
	cfg        Config
	Store      *store.Store
	Indicators *iocset.Holder
	Queue      *queue.Queue
	Hunter     *retro.Hunter
	Web        *web.Server

	retroMu  sync.Mutex
	retroReq *retroRequest
	retroCh  chan struct{}
}

type retroRequest struct {
	reason string
	by     int64
}

// DefaultListen is where the lab listens unless told otherwise.
const DefaultListen = "127.0.0.1:8080"

// Open opens the store and the indicators and builds the lab.
func Open(ctx context.Context, cfg Config) (*Lab, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.Hash == (auth.Params{}) {
		cfg.Hash = auth.DefaultParams
	}
	abs, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	cfg.DataDir = abs
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("%s: %w", abs, err)
	}
	for i, r := range cfg.Roots {
		if cfg.Roots[i], err = filepath.Abs(r); err != nil {
			return nil, err
		}
		if st, err := os.Stat(cfg.Roots[i]); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--root %s: not a folder", r)
		}
	}
	s, err := store.Open(ctx, store.Options{DataDir: abs, DSN: cfg.DSN})
	if err != nil {
		return nil, err
	}
	ind, err := iocset.New(ctx, iocset.Options{CacheDir: filepath.Join(abs, "indicators", "cache"),
		AddedDir: filepath.Join(abs, "indicators", "added"), Paths: cfg.IOCPaths, NoEmbedded: cfg.NoEmbedded,
		IndexURL: cfg.IndexURL, Log: cfg.Log, Update: cfg.UpdateIndicators})
	if err != nil {
		s.Close()
		return nil, err
	}
	l := &Lab{cfg: cfg, Store: s, Indicators: ind, retroCh: make(chan struct{}, 1)}
	l.Hunter = &retro.Hunter{Store: s, Indicators: ind, Log: cfg.Log}
	l.Queue = queue.New(queue.Config{Store: s, Indicators: ind, ResultsDir: filepath.Join(abs, "results"), Workers: cfg.Workers,
		MaxQueued: cfg.MaxQueued, Version: cfg.Version, Lang: "en", Log: cfg.Log, OnDone: l.Hunter.CatchUp, Modules: cfg.Modules, Worker: cfg.ScanWorker})
	l.Web, err = web.New(web.Config{Store: s, Queue: l.Queue, Hunter: l.Hunter, Indicators: ind, DataDir: abs, Roots: cfg.Roots,
		MaxUpload: cfg.MaxUpload, Hash: cfg.Hash, Version: cfg.Version, Log: cfg.Log, TLS: cfg.TLSCert != "",
		RetroAsync: l.RequestRetro})
	if err != nil {
		s.Close()
		return nil, err
	}
	return l, nil
}

// Close closes the store.
func (l *Lab) Close() error { return l.Store.Close() }

// InitAdmin creates the administrator account name with a one-time
// password (or, when it exists, gives it a new one) and returns the
// password, to be printed once.
func (l *Lab) InitAdmin(ctx context.Context, name string) (string, error) {
	otp := auth.OneTimePassword()
	h, err := auth.Hash(otp, l.cfg.Hash)
	if err != nil {
		return "", err
	}
	action := "user.init_admin"
	u, err := l.Store.UserByName(ctx, name)
	switch {
	case err == nil:
		if err := l.Store.SetPassword(ctx, u.ID, h, true, ""); err != nil {
			return "", err
		}
		if u.Role != store.Admin || u.Disabled {
			if err := l.Store.SetRole(ctx, u.ID, store.Admin); err != nil {
				return "", err
			}
			if err := l.Store.SetDisabled(ctx, u.ID, false); err != nil {
				return "", err
			}
		}
		action = "user.init_admin.reset"
	case errors.Is(err, store.ErrNotFound):
		if u, err = l.Store.CreateUser(ctx, name, h, store.Admin, true); err != nil {
			return "", err
		}
	default:
		return "", err
	}
	if err := l.Store.Audit(ctx, store.AuditEntry{Remote: "command line", Action: action, Target: name}); err != nil {
		return "", err
	}
	return otp, nil
}

// RequestRetro asks for a retro-hunt of every stored scan; requests made
// while one waits are merged into it.
func (l *Lab) RequestRetro(reason string, by int64) {
	l.retroMu.Lock()
	if l.retroReq == nil {
		l.retroReq = &retroRequest{reason: reason, by: by}
	} else if !strings.Contains(l.retroReq.reason, reason) {
		l.retroReq.reason += "; " + reason
	}
	l.retroMu.Unlock()
	select {
	case l.retroCh <- struct{}{}:
	default:
	}
}

func (l *Lab) retroWorker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.retroCh:
		}
		l.retroMu.Lock()
		req := l.retroReq
		l.retroReq = nil
		l.retroMu.Unlock()
		if req == nil {
			continue
		}
		if _, err := l.Hunter.Run(ctx, req.reason, req.by, nil); err != nil && ctx.Err() == nil {
			l.cfg.Log.Error("retro-hunt", "err", err)
		}
	}
}

// watch reloads the indicator sources now and then (a `spyscan iocs
// update` or a file changed outside the interface) and removes expired
// sessions.
func (l *Lab) watch(ctx context.Context) {
	every := l.cfg.RecheckEvery
	if every <= 0 {
		every = 5 * time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if changed, err := l.Indicators.Reload(ctx); err != nil {
			l.cfg.Log.Error("reloading the indicators", "err", err)
		} else if changed {
			l.RequestRetro("indicator sources changed on disk", 0)
		}
		if err := l.Store.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			l.cfg.Log.Error("expired sessions", "err", err)
		}
	}
}

// ErrNeedTLS: listening beyond this machine without TLS is refused.
var ErrNeedTLS = errors.New("listening beyond this machine needs TLS (--tls-cert and --tls-key): passwords and evidence would cross the network in clear")

// Listen opens the listening socket, refusing a non-loopback address
// without TLS.
func (l *Lab) Listen() (net.Listener, error) {
	host, _, err := net.SplitHostPort(l.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("--listen %s: %w", l.cfg.Listen, err)
	}
	if l.cfg.TLSCert == "" && !loopback(host) {
		return nil, fmt.Errorf("--listen %s: %w", l.cfg.Listen, ErrNeedTLS)
	}
	return net.Listen("tcp", l.cfg.Listen)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Serve runs the lab on ln until ctx ends: scans left running by a
// stopped server are marked interrupted, the queue and the retro-hunt
// worker start, a retro-hunt runs if the indicators changed since the
// last one, and the interface is served. On return, running scans are
// interrupted (and marked so) and the store is still open.
func (l *Lab) Serve(ctx context.Context, ln net.Listener) error {
	ids, err := l.Queue.Recover(ctx)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		l.cfg.Log.Warn("scans interrupted by the previous stop; retry them from their case", "scans", ids)
	}
	if err := l.Store.InterruptRetro(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	l.Queue.Start(ctx)
	wg.Add(2)
	go func() { defer wg.Done(); l.retroWorker(ctx) }()
	go func() { defer wg.Done(); l.watch(ctx) }()
	if pending, err := l.Hunter.Pending(ctx); err != nil {
		return err
	} else if pending {
		l.RequestRetro("indicators changed since the last retro-hunt", 0)
	}
	srv := &http.Server{Handler: l.Web, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(l.cfg.Log.Handler(), slog.LevelWarn)}
	if l.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(l.cfg.TLSCert, l.cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	l.cfg.Log.Info("lab serving", "address", URL(ln.Addr().String(), l.cfg.TLSCert != ""), "store", l.Store.Where(),
		"workers", l.Queue.Workers(), "indicators", l.Indicators.Current().Count)
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = srv.Shutdown(sctx)
		scancel()
	}
	cancel()
	l.Queue.Wait()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// URL is the address to open in a browser.
func URL(addr string, tls bool) string {
	if tls {
		return "https://" + addr + "/"
	}
	return "http://" + addr + "/"
}
