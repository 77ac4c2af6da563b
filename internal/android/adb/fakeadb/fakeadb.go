// Package fakeadb owns a fake adb server for tests: it listens on loopback
// only, speaks the smart-socket protocol (host:version, host:devices(-l),
// host:transport(-any)) and the device services the adb client uses
// (shell: and sync: STAT/RECV/QUIT), answering from a scripted device, and
// records every service request so tests can check that nothing tried to
// change the device. Connections are bounded in time and size.
package fakeadb

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Device is a scripted device.
type Device struct {
	Serial string
	State  string // "device" when empty
	Info   string // extra devices-l fields, e.g. "product:x model:Pixel_7"
	// Shell answers a shell command; ok false makes the command print
	// "/system/bin/sh: <cmd>: inaccessible or not found".
	Shell func(cmd string) (out string, ok bool)
	Files map[string][]byte // for sync STAT/RECV
	// Backup is what the backup: service streams (nil: FAIL).
	Backup []byte
}

// Server is a running fake adb server.
type Server struct {
	ln      net.Listener
	devices []*Device
	mu      sync.Mutex
	log     []string
	wg      sync.WaitGroup
}

// Start listens on 127.0.0.1 and serves until Close.
func Start(devices ...*Device) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, devices: devices}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server and waits for its connections.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

// Requests returns every request received, in order ("host:...",
// "shell:...", "sync:RECV /path"...).
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

func (s *Server) note(r string) {
	s.mu.Lock()
	s.log = append(s.log, r)
	s.mu.Unlock()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			s.handle(c)
		}()
	}
}

func readReq(r io.Reader) (string, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return "", err
	}
	n, err := strconv.ParseUint(string(h[:]), 16, 16)
	if err != nil {
		return "", err
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return string(b), err
}

func okay(w io.Writer)                { io.WriteString(w, "OKAY") }
func fail(w io.Writer, msg string)    { fmt.Fprintf(w, "FAIL%04x%s", len(msg), msg) }
func hexString(w io.Writer, s string) { fmt.Fprintf(w, "%04x%s", len(s), s) }

func (s *Server) handle(c net.Conn) {
	br := bufio.NewReader(c)
	req, err := readReq(br)
	if err != nil {
		return
	}
	s.note(req)
	switch {
	case req == "host:version":
		okay(c)
		hexString(c, "0029")
	case req == "host:devices" || req == "host:devices-l":
		var b strings.Builder
		for _, d := range s.devices {
			st := d.State
			if st == "" {
				st = "device"
			}
			fmt.Fprintf(&b, "%s\t%s", d.Serial, st)
			if req == "host:devices-l" && d.Info != "" {
				b.WriteString(" " + d.Info)
			}
			b.WriteString("\n")
		}
		okay(c)
		hexString(c, b.String())
	case strings.HasPrefix(req, "host:transport"):
		d := s.device(req)
		if d == nil {
			fail(c, "device not found")
			return
		}
		if d.State != "" && d.State != "device" {
			fail(c, "device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set")
			return
		}
		okay(c)
		s.service(c, br, d)
	default:
		fail(c, "unknown host service")
	}
}

func (s *Server) device(req string) *Device {
	if req == "host:transport-any" {
		if len(s.devices) == 1 {
			return s.devices[0]
		}
		return nil
	}
	serial := strings.TrimPrefix(req, "host:transport:")
	for _, d := range s.devices {
		if d.Serial == serial {
			return d
		}
	}
	return nil
}

func (s *Server) service(c net.Conn, br *bufio.Reader, d *Device) {
	req, err := readReq(br)
	if err != nil {
		return
	}
	switch {
	case strings.HasPrefix(req, "shell:"):
		s.note(req)
		cmd := strings.TrimPrefix(req, "shell:")
		okay(c)
		out, ok := "", false
		if d.Shell != nil {
			out, ok = d.Shell(cmd)
		}
		if !ok {
			out = fmt.Sprintf("/system/bin/sh: %s: inaccessible or not found\n", strings.Fields(cmd + " x")[0])
		}
		io.WriteString(c, out)
	case strings.HasPrefix(req, "backup:"):
		s.note(req)
		if d.Backup == nil {
			fail(c, "backup not supported")
			return
		}
		okay(c)
		c.Write(d.Backup)
	case req == "sync:":
		s.note(req)
		okay(c)
		s.sync(c, br, d)
	default:
		s.note(req)
		fail(c, "unsupported service")
	}
}

func (s *Server) sync(c net.Conn, br *bufio.Reader, d *Device) {
	le := binary.LittleEndian
	for {
		var h [8]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return
		}
		n := le.Uint32(h[4:])
		if n > 4096 {
			return
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(br, p); err != nil {
			return
		}
		id, path := string(h[:4]), string(p)
		s.note("sync:" + id + " " + path)
		data, found := d.Files[path]
		switch id {
		case "STAT":
			out := make([]byte, 16)
			copy(out, "STAT")
			if found {
				le.PutUint32(out[4:], 0o100644)
				le.PutUint32(out[8:], uint32(len(data)))
				le.PutUint32(out[12:], 1716213791)
			}
			c.Write(out)
		case "RECV":
			if !found {
				msg := "No such file or directory"
				out := make([]byte, 8, 8+len(msg))
				copy(out, "FAIL")
				le.PutUint32(out[4:], uint32(len(msg)))
				c.Write(append(out, msg...))
				continue
			}
			for off := 0; off < len(data); off += 64 << 10 {
				end := min(off+64<<10, len(data))
				out := make([]byte, 8, 8+end-off)
				copy(out, "DATA")
				le.PutUint32(out[4:], uint32(end-off))
				c.Write(append(out, data[off:end]...))
			}
			c.Write([]byte("DONE\x00\x00\x00\x00"))
		case "QUIT":
			return
		default:
			return // SEND and the rest are refused: the client must never use them
		}
	}
}
