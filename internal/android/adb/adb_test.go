package adb

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/android/adb/fakeadb"
)

func server(t *testing.T, ds ...*fakeadb.Device) (*fakeadb.Server, *Client) {
	t.Helper()
	s, err := fakeadb.Start(ds...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, &Client{Addr: s.Addr()}
}

func phone() *fakeadb.Device {
	big := bytes.Repeat([]byte("0123456789"), 20000) // several DATA chunks
	return &fakeadb.Device{Serial: "R58M123", Info: "product:oriole model:Pixel_6 device:oriole transport_id:1",
		Shell: func(cmd string) (string, bool) {
			if cmd == "getprop ro.build.version.release" {
				return "14\n", true
			}
			return "", false
		},
		Files: map[string][]byte{"/data/local/tmp/x": []byte("hello"), "/sdcard/big.bin": big}}
}

func TestClient(t *testing.T) {
	s, c := server(t, phone(), &fakeadb.Device{Serial: "emulator-5554", State: "unauthorized"})
	ctx := context.Background()
	v, err := c.Version(ctx)
	if err != nil || v != 0x29 {
		t.Fatalf("version %d %v", v, err)
	}
	ds, err := c.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Device{{Serial: "R58M123", State: "device", Info: map[string]string{"product": "oriole", "model": "Pixel_6", "device": "oriole", "transport_id": "1"}},
		{Serial: "emulator-5554", State: "unauthorized"}}
	if !reflect.DeepEqual(ds, want) {
		t.Fatalf("devices %+v", ds)
	}
	out, err := c.ShellOutput(ctx, "R58M123", "getprop ro.build.version.release", 0)
	if err != nil || string(out) != "14\n" {
		t.Fatalf("shell %q %v", out, err)
	}
	if _, err := c.ShellOutput(ctx, "R58M123", "getprop ro.build.version.release", 1); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("limit: %v", err)
	}
	var fe *FailError
	if _, err := c.ShellOutput(ctx, "emulator-5554", "id", 0); !errors.As(err, &fe) || !strings.Contains(fe.Msg, "unauthorized") {
		t.Fatalf("unauthorized: %v", err)
	}
	if _, err := c.ShellOutput(ctx, "nope", "id", 0); !errors.As(err, &fe) {
		t.Fatalf("unknown serial: %v", err)
	}
	st, err := c.Stat(ctx, "R58M123", "/data/local/tmp/x")
	if err != nil || !st.Exists() || st.Size != 5 {
		t.Fatalf("stat %+v %v", st, err)
	}
	if st, err := c.Stat(ctx, "R58M123", "/missing"); err != nil || st.Exists() {
		t.Fatalf("stat missing %+v %v", st, err)
	}
	var b bytes.Buffer
	n, err := c.Pull(ctx, "R58M123", "/sdcard/big.bin", &b, 0)
	if err != nil || n != 200000 || !bytes.Equal(b.Bytes(), phone().Files["/sdcard/big.bin"]) {
		t.Fatalf("pull %d %v", n, err)
	}
	if _, err := c.Pull(ctx, "R58M123", "/sdcard/big.bin", &b, 1000); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("pull limit: %v", err)
	}
	if _, err := c.Pull(ctx, "R58M123", "/missing", &b, 0); !errors.As(err, &fe) {
		t.Fatalf("pull missing: %v", err)
	}
	for _, r := range s.Requests() {
		if strings.Contains(r, "SEND") || strings.Contains(r, "install") {
			t.Errorf("write request sent: %q", r)
		}
	}
}

func TestNoServer(t *testing.T) {
	c := &Client{Addr: "127.0.0.1:1", DialTimeout: time.Second}
	if _, err := c.Devices(context.Background()); err == nil || !strings.Contains(err.Error(), "adb server") {
		t.Fatalf("got %v", err)
	}
}

func TestCancel(t *testing.T) {
	// The device answers only once the test is over (cleanups run last
	// first, so the answer is released before the server is closed).
	release := make(chan struct{})
	_, c := server(t, &fakeadb.Device{Serial: "s", Shell: func(string) (string, bool) {
		<-release
		return "late", true
	}})
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.ShellOutput(ctx, "s", "sleep", 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("cancel not honoured")
	}
}

// rw feeds server bytes to the protocol readers and swallows requests.
type rw struct{ *bytes.Reader }

func (rw) Write(p []byte) (int, error) { return len(p), nil }

func FuzzProtocol(f *testing.F) {
	f.Add([]byte("OKAY000cR58M\tdevice\n"))
	f.Add([]byte("FAIL0005oops!"))
	f.Add([]byte("DATA\x05\x00\x00\x00helloDONE\x00\x00\x00\x00"))
	f.Add([]byte("FAIL\x03\x00\x00\x00bad"))
	f.Add([]byte("STAT\xa4\x81\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if readStatus(bytes.NewReader(data)) == nil {
			if s, err := readHexString(bytes.NewReader(data[4:])); err == nil {
				ParseDevices(s)
			}
		}
		var out bytes.Buffer
		_, _ = recv(rw{bytes.NewReader(data)}, "/p", &out, 1<<20)
		_, _ = stat(rw{bytes.NewReader(data)}, "/p")
		if out.Len() > 1<<20 {
			t.Fatal("limit exceeded")
		}
	})
}
