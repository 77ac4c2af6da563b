// Package adb owns a pure-Go client of a running adb server's TCP protocol
// (the "smart socket" protocol of AOSP's OVERVIEW.TXT and SERVICES.TXT,
// and the file sync protocol of SYNC.TXT): listing devices (host:devices-l),
// attaching to one (host:transport:<serial>), running read-only shell
// commands (shell:) and pulling files (sync: STAT and RECV). It never
// pushes, installs or changes anything on the device: there is no SEND, no
// install and no settings write in this package. Every length read from
// the server is bounded.
package adb

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// DefaultAddr is where the adb server listens.
const DefaultAddr = "127.0.0.1:5037"

// Bounds on what the server may send.
const (
	maxMessage  = 64 << 10 // a FAIL message or a host reply
	maxSyncData = 1 << 20  // one sync DATA chunk (adb sends at most 64 KiB)
)

// Errors.
var (
	// ErrProtocol is an unexpected reply from the server.
	ErrProtocol = errors.New("adb protocol error")
	// ErrTooLarge says an output or a file exceeded the caller's limit.
	ErrTooLarge = errors.New("adb output exceeds the size limit")
)

// FailError is a FAIL reply from the server or the device.
type FailError struct{ Msg string }

func (e *FailError) Error() string { return "adb: " + e.Msg }

// Client talks to an adb server.
type Client struct {
	Addr        string        // host:port of the adb server; DefaultAddr when empty
	DialTimeout time.Duration // 5 s when zero
}

func (c *Client) addr() string {
	if c.Addr == "" {
		return DefaultAddr
	}
	return c.Addr
}

// conn is one connection to the server, closed when ctx ends.
type conn struct {
	net.Conn
	br   *bufio.Reader
	stop func() bool
}

func (c *Client) dial(ctx context.Context) (*conn, error) {
	to := c.DialTimeout
	if to == 0 {
		to = 5 * time.Second
	}
	d := net.Dialer{Timeout: to}
	nc, err := d.DialContext(ctx, "tcp", c.addr())
	if err != nil {
		return nil, fmt.Errorf("adb server at %s: %w (is `adb start-server` running?)", c.addr(), err)
	}
	cn := &conn{Conn: nc, br: bufio.NewReaderSize(nc, 64<<10)}
	cn.stop = context.AfterFunc(ctx, func() { nc.Close() })
	return cn, nil
}

func (cn *conn) Read(p []byte) (int, error) { return cn.br.Read(p) }

func (cn *conn) Close() error {
	cn.stop()
	return cn.Conn.Close()
}

// request sends one smart-socket request and reads its status.
func request(rw io.ReadWriter, req string) error {
	if len(req) > 0xFFFF {
		return fmt.Errorf("%w: request too long", ErrProtocol)
	}
	if _, err := fmt.Fprintf(rw, "%04x%s", len(req), req); err != nil {
		return err
	}
	return readStatus(rw)
}

// readStatus reads OKAY, or FAIL and its message.
func readStatus(r io.Reader) error {
	var st [4]byte
	if _, err := io.ReadFull(r, st[:]); err != nil {
		return fmt.Errorf("%w: reading status: %w", ErrProtocol, err)
	}
	switch string(st[:]) {
	case "OKAY":
		return nil
	case "FAIL":
		msg, err := readHexString(r)
		if err != nil {
			return err
		}
		return &FailError{Msg: msg}
	}
	return fmt.Errorf("%w: unexpected status %q", ErrProtocol, st[:])
}

// readHexString reads a 4-hex-digit length and that many bytes.
func readHexString(r io.Reader) (string, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return "", fmt.Errorf("%w: reading length: %w", ErrProtocol, err)
	}
	n, err := strconv.ParseUint(string(h[:]), 16, 16)
	if err != nil {
		return "", fmt.Errorf("%w: bad length %q", ErrProtocol, h[:])
	}
	if n > maxMessage {
		return "", fmt.Errorf("%w: message too long", ErrProtocol)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("%w: reading message: %w", ErrProtocol, err)
	}
	return string(b), nil
}

// Version returns the adb server's protocol version.
func (c *Client) Version(ctx context.Context) (int, error) {
	cn, err := c.dial(ctx)
	if err != nil {
		return 0, err
	}
	defer cn.Close()
	if err := request(cn, "host:version"); err != nil {
		return 0, err
	}
	s, err := readHexString(cn)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(s, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("%w: bad version %q", ErrProtocol, s)
	}
	return int(v), nil
}

// Device is one device known to the server.
type Device struct {
	Serial string            `json:"serial"`
	State  string            `json:"state"` // device, unauthorized, offline, ...
	Info   map[string]string `json:"info,omitempty"`
}

// Devices lists the devices (host:devices-l).
func (c *Client) Devices(ctx context.Context) ([]Device, error) {
	cn, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer cn.Close()
	if err := request(cn, "host:devices-l"); err != nil {
		return nil, err
	}
	s, err := readHexString(cn)
	if err != nil {
		return nil, err
	}
	return ParseDevices(s), nil
}

// ParseDevices parses the reply of host:devices or host:devices-l.
func ParseDevices(s string) []Device {
	var out []Device
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		d := Device{Serial: f[0], State: f[1]}
		for _, kv := range f[2:] {
			if k, v, ok := strings.Cut(kv, ":"); ok {
				if d.Info == nil {
					d.Info = map[string]string{}
				}
				d.Info[k] = v
			}
		}
		out = append(out, d)
	}
	return out
}

// transport opens a connection attached to the device serial (any single
// device when serial is empty).
func (c *Client) transport(ctx context.Context, serial string) (*conn, error) {
	if strings.ContainsAny(serial, "\x00\n\r") {
		return nil, fmt.Errorf("bad device serial %q", serial)
	}
	cn, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	req := "host:transport-any"
	if serial != "" {
		req = "host:transport:" + serial
	}
	if err := request(cn, req); err != nil {
		cn.Close()
		return nil, err
	}
	return cn, nil
}

// Shell runs cmd with the device's sh (shell: service) and copies its
// output (stdout and stderr mixed) to w, failing with ErrTooLarge beyond
// max bytes (no limit when max <= 0).
func (c *Client) Shell(ctx context.Context, serial, cmd string, w io.Writer, max int64) (int64, error) {
	cn, err := c.transport(ctx, serial)
	if err != nil {
		return 0, err
	}
	defer cn.Close()
	if err := request(cn, "shell:"+cmd); err != nil {
		return 0, err
	}
	n, err := copyMax(w, cn, max)
	if err != nil && ctx.Err() != nil {
		return n, ctx.Err()
	}
	return n, err
}

// Service opens a device service by name (for instance
// "backup: -nocompress com.android.providers.telephony", which asks the
// phone's owner to confirm on screen) and copies its raw output to w, at
// most max bytes when max > 0.
func (c *Client) Service(ctx context.Context, serial, service string, w io.Writer, max int64) (int64, error) {
	if !strings.HasPrefix(service, "backup:") {
		return 0, fmt.Errorf("adb: service %q not allowed (read-only client)", service)
	}
	cn, err := c.transport(ctx, serial)
	if err != nil {
		return 0, err
	}
	defer cn.Close()
	if err := request(cn, service); err != nil {
		return 0, err
	}
	n, err := copyMax(w, cn, max)
	if err != nil && ctx.Err() != nil {
		return n, ctx.Err()
	}
	return n, err
}

// ShellOutput runs cmd and returns its output (at most max bytes).
func (c *Client) ShellOutput(ctx context.Context, serial, cmd string, max int64) ([]byte, error) {
	var b bytes.Buffer
	_, err := c.Shell(ctx, serial, cmd, &b, max)
	return b.Bytes(), err
}

func copyMax(w io.Writer, r io.Reader, max int64) (int64, error) {
	if max <= 0 {
		return io.Copy(w, r)
	}
	n, err := io.Copy(w, io.LimitReader(r, max+1))
	if n > max {
		return n, ErrTooLarge
	}
	return n, err
}

// FileInfo is what sync STAT returns.
type FileInfo struct {
	Mode  uint32
	Size  uint32
	MTime time.Time
}

// Exists reports whether STAT found the file (mode not zero).
func (f FileInfo) Exists() bool { return f.Mode != 0 }

// Stat returns the mode, size and mtime of a device path.
func (c *Client) Stat(ctx context.Context, serial, path string) (FileInfo, error) {
	cn, err := c.sync(ctx, serial)
	if err != nil {
		return FileInfo{}, err
	}
	defer cn.Close()
	defer syncQuit(cn)
	return stat(cn, path)
}

// Pull copies a device file to w (at most max bytes when max > 0).
func (c *Client) Pull(ctx context.Context, serial, path string, w io.Writer, max int64) (int64, error) {
	cn, err := c.sync(ctx, serial)
	if err != nil {
		return 0, err
	}
	defer cn.Close()
	n, err := recv(cn, path, w, max)
	if err == nil {
		syncQuit(cn)
	}
	if err != nil && ctx.Err() != nil {
		return n, ctx.Err()
	}
	return n, err
}

func (c *Client) sync(ctx context.Context, serial string) (*conn, error) {
	cn, err := c.transport(ctx, serial)
	if err != nil {
		return nil, err
	}
	if err := request(cn, "sync:"); err != nil {
		cn.Close()
		return nil, err
	}
	return cn, nil
}

func syncRequest(w io.Writer, id, path string) error {
	if len(path) > 1024 {
		return fmt.Errorf("adb sync: path too long")
	}
	b := make([]byte, 8, 8+len(path))
	copy(b, id)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(path)))
	_, err := w.Write(append(b, path...))
	return err
}

func syncQuit(w io.Writer) { _ = syncRequest(w, "QUIT", "") }

func stat(rw io.ReadWriter, path string) (FileInfo, error) {
	if err := syncRequest(rw, "STAT", path); err != nil {
		return FileInfo{}, err
	}
	var b [16]byte
	if _, err := io.ReadFull(rw, b[:]); err != nil {
		return FileInfo{}, fmt.Errorf("%w: STAT reply: %w", ErrProtocol, err)
	}
	if string(b[:4]) != "STAT" {
		return FileInfo{}, fmt.Errorf("%w: STAT reply %q", ErrProtocol, b[:4])
	}
	le := binary.LittleEndian
	return FileInfo{Mode: le.Uint32(b[4:]), Size: le.Uint32(b[8:]), MTime: time.Unix(int64(le.Uint32(b[12:])), 0).UTC()}, nil
}

// recv runs a RECV and copies the DATA chunks to w until DONE.
func recv(rw io.ReadWriter, path string, w io.Writer, max int64) (int64, error) {
	if err := syncRequest(rw, "RECV", path); err != nil {
		return 0, err
	}
	var total int64
	var hdr [8]byte
	buf := make([]byte, 64<<10)
	for {
		if _, err := io.ReadFull(rw, hdr[:]); err != nil {
			return total, fmt.Errorf("%w: %s: RECV: %w", ErrProtocol, path, err)
		}
		n := binary.LittleEndian.Uint32(hdr[4:])
		switch string(hdr[:4]) {
		case "DATA":
			if n > maxSyncData {
				return total, fmt.Errorf("%w: %s: DATA chunk of %d bytes", ErrProtocol, path, n)
			}
			if max > 0 && total+int64(n) > max {
				return total, fmt.Errorf("%s: %w", path, ErrTooLarge)
			}
			if int(n) > len(buf) {
				buf = make([]byte, n)
			}
			if _, err := io.ReadFull(rw, buf[:n]); err != nil {
				return total, fmt.Errorf("%w: %s: DATA: %w", ErrProtocol, path, err)
			}
			if _, err := w.Write(buf[:n]); err != nil {
				return total, err
			}
			total += int64(n)
		case "DONE":
			return total, nil
		case "FAIL":
			if n > maxMessage {
				return total, fmt.Errorf("%w: %s: FAIL message too long", ErrProtocol, path)
			}
			msg := make([]byte, n)
			if _, err := io.ReadFull(rw, msg); err != nil {
				return total, fmt.Errorf("%w: %s: FAIL: %w", ErrProtocol, path, err)
			}
			return total, &FailError{Msg: path + ": " + string(msg)}
		default:
			return total, fmt.Errorf("%w: %s: unexpected %q", ErrProtocol, path, hdr[:4])
		}
	}
}
