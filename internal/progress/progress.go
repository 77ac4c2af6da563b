// Package progress owns the progress display of long scans: one line on
// stderr, redrawn in place, with the modules done and running, the files
// and bytes read, and the elapsed time. It is off when stderr is not a
// terminal or with --quiet, so logs and pipes never get control characters.
// The scan core talks to a Reporter; Nop is the silent one.
package progress

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Reporter receives scan progress. Every method may be called concurrently.
type Reporter interface {
	// Plan announces how many module runs the scan will make.
	Plan(modules int)
	ModuleStarted(input, name string)
	ModuleDone(input, name string)
	// Files counts files read; Bytes counts bytes read (or hashed).
	Files(n int)
	Bytes(n int64)
	// Stop clears the display; the reporter must not be used afterwards.
	Stop()
}

// Nop is the Reporter that shows nothing.
type Nop struct{}

func (Nop) Plan(int)                     {}
func (Nop) ModuleStarted(string, string) {}
func (Nop) ModuleDone(string, string)    {}
func (Nop) Files(int)                    {}
func (Nop) Bytes(int64)                  {}
func (Nop) Stop()                        {}

// Options configures New.
type Options struct {
	Quiet bool             // --quiet: never show progress
	Force bool             // show even when w is not a terminal (tests)
	Every time.Duration    // minimum time between redraws; 0 means 100 ms
	Now   func() time.Time // clock; nil means time.Now
	Width int              // line width; 0 means 100
}

// New returns a display writing to w when w is a terminal (and not quiet),
// else Nop.
func New(w io.Writer, opt Options) Reporter {
	if opt.Quiet || (!opt.Force && !IsTerminal(w)) {
		return Nop{}
	}
	if opt.Every == 0 {
		opt.Every = 100 * time.Millisecond
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Width == 0 {
		opt.Width = 100
	}
	return &Display{w: w, opt: opt, start: opt.Now(), running: map[string]int{}}
}

// IsTerminal reports whether w is a character device such as a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Display draws progress on one terminal line.
type Display struct {
	mu      sync.Mutex
	w       io.Writer
	opt     Options
	start   time.Time
	last    time.Time
	total   int
	done    int
	files   int
	bytes   int64
	running map[string]int // module name → runs in progress
	lastLen int
	stopped bool
}

func (d *Display) Plan(n int) { d.update(func() { d.total = n }, false) }

func (d *Display) ModuleStarted(_, name string) { d.update(func() { d.running[name]++ }, false) }

func (d *Display) ModuleDone(_, name string) {
	d.update(func() {
		d.done++
		if d.running[name]--; d.running[name] <= 0 {
			delete(d.running, name)
		}
	}, false)
}

func (d *Display) Files(n int) { d.update(func() { d.files += n }, false) }

func (d *Display) Bytes(n int64) { d.update(func() { d.bytes += n }, false) }

// Stop erases the line.
func (d *Display) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	d.stopped = true
	if d.lastLen > 0 {
		fmt.Fprintf(d.w, "\r%s\r", strings.Repeat(" ", d.lastLen))
	}
}

func (d *Display) update(f func(), force bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	f()
	now := d.opt.Now()
	if !force && !d.last.IsZero() && now.Sub(d.last) < d.opt.Every {
		return
	}
	d.last = now
	line := d.line(now)
	pad := ""
	if n := d.lastLen - len([]rune(line)); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(d.w, "\r%s%s", line, pad)
	d.lastLen = len([]rune(line))
}

// line renders the state, cut to the width.
func (d *Display) line(now time.Time) string {
	mods := fmt.Sprintf("%d", d.done)
	if d.total > 0 {
		mods += fmt.Sprintf("/%d", d.total)
	}
	names := make([]string, 0, len(d.running))
	for n := range d.running {
		names = append(names, n)
	}
	sort.Strings(names)
	s := fmt.Sprintf("modules %s · files %d · %s · %s", mods, d.files, Size(d.bytes), now.Sub(d.start).Truncate(time.Second))
	if len(names) > 0 {
		s += " · " + strings.Join(names, ", ")
	}
	if r := []rune(s); len(r) > d.opt.Width {
		s = string(r[:d.opt.Width-1]) + "…"
	}
	return s
}

// Size writes a byte count in binary units.
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
