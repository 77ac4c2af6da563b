package progress

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestOffWhenNotTerminalOrQuiet(t *testing.T) {
	var b bytes.Buffer
	if _, ok := New(&b, Options{}).(Nop); !ok {
		t.Error("a buffer is not a terminal, want Nop")
	}
	if _, ok := New(&b, Options{Quiet: true, Force: true}).(Nop); !ok {
		t.Error("--quiet must win, want Nop")
	}
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := New(f, Options{}).(Nop); !ok {
		t.Error("a regular file is not a terminal, want Nop")
	}
}

func TestDisplay(t *testing.T) {
	var b bytes.Buffer
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	d := New(&b, Options{Force: true, Now: c.now, Every: time.Second})
	d.Plan(3)
	d.ModuleStarted("in", "sms")
	c.t = c.t.Add(2 * time.Second)
	d.ModuleStarted("in", "safari_history")
	d.Files(2)
	d.Bytes(3 << 20)
	c.t = c.t.Add(2 * time.Second)
	d.ModuleDone("in", "sms")
	out := b.String()
	last := out[strings.LastIndex(out, "\r")+1:]
	want := "modules 1/3 · files 2 · 3.0 MiB · 4s · safari_history"
	if strings.TrimRight(last, " ") != want {
		t.Errorf("last line = %q, want %q", last, want)
	}
	if n := strings.Count(out, "\r"); n != 3 {
		t.Errorf("%d redraws, want 3 (throttled to one a second)", n)
	}
	d.Stop()
	if !strings.HasSuffix(b.String(), "\r") {
		t.Error("Stop did not return to the start of the line")
	}
	n := b.Len()
	d.Files(1)
	if b.Len() != n {
		t.Error("the display drew after Stop")
	}
}

func TestConcurrent(t *testing.T) {
	var b bytes.Buffer
	d := New(&b, Options{Force: true, Every: time.Nanosecond})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				d.ModuleStarted("in", "m")
				d.Bytes(10)
				d.Files(1)
				d.ModuleDone("in", "m")
			}
		}()
	}
	wg.Wait()
	disp := d.(*Display)
	if disp.done != 800 || disp.files != 800 || disp.bytes != 8000 || len(disp.running) != 0 {
		t.Errorf("counts done=%d files=%d bytes=%d running=%v", disp.done, disp.files, disp.bytes, disp.running)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 5 << 30: "5.0 GiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestWidth(t *testing.T) {
	var b bytes.Buffer
	d := New(&b, Options{Force: true, Width: 30})
	d.ModuleStarted("in", strings.Repeat("long_module_name_", 5))
	if l := len([]rune(strings.TrimPrefix(b.String(), "\r"))); l > 30 {
		t.Errorf("line of %d runes, want at most 30", l)
	}
}
