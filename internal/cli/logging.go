package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// Log formats (--log-format).
const (
	logPlain = "plain" // sentences for people: the default
	logText  = "text"  // key=value, the default with -v
	logJSON  = "json"  // one JSON object per line
)

// newLogger builds the logger of a command: plain sentences at the default
// level; key=value records with -v (debug) or --log-format text; JSON with
// --log-format json.
func newLogger(w io.Writer, format string, verbose bool) (*slog.Logger, error) {
	lvl := slog.LevelInfo
	if verbose {
		lvl = slog.LevelDebug
	}
	if format == "" {
		format = logPlain
		if verbose {
			format = logText
		}
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case logPlain:
		return slog.New(&plainHandler{w: w, level: lvl, mu: &sync.Mutex{}}), nil
	case logText:
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case logJSON:
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("%w: --log-format %q: want %s, %s or %s", ErrUsage, format, logPlain, logText, logJSON)
}

// plainHandler writes each record as one sentence: "spyscan: warning:
// sms could not read a file: open HomeDomain/Library/SMS/sms.db: ...". The
// module (or input) the record is about comes first; the error follows,
// and the path only when the error does not already name it. Other
// attributes are for -v.
type plainHandler struct {
	w     io.Writer
	level slog.Level
	mu    *sync.Mutex
	attrs []slog.Attr
}

func (h *plainHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *plainHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}

func (h *plainHandler) WithGroup(string) slog.Handler { return h }

func (h *plainHandler) Handle(_ context.Context, r slog.Record) error {
	vals := map[string]string{}
	see := func(a slog.Attr) {
		if _, dup := vals[a.Key]; !dup {
			vals[a.Key] = a.Value.Resolve().String()
		}
	}
	r.Attrs(func(a slog.Attr) bool { see(a); return true })
	for _, a := range h.attrs {
		see(a)
	}
	var b strings.Builder
	b.WriteString("spyscan: ")
	switch {
	case r.Level >= slog.LevelError:
		b.WriteString("error: ")
	case r.Level >= slog.LevelWarn:
		b.WriteString("warning: ")
	}
	if m := vals["module"]; m != "" {
		b.WriteString(m + ": ")
	}
	b.WriteString(r.Message)
	errText, path := vals["err"], firstNonEmpty(vals["path"], vals["file"])
	if path != "" && !strings.Contains(errText, path) {
		b.WriteString(": " + path)
	}
	if errText != "" {
		b.WriteString(": " + errText)
	} else if d := vals["detail"]; d != "" {
		b.WriteString(": " + d)
	}
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
