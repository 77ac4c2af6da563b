// Package adbstate owns the ADB state module: the computers the phone
// trusts for USB debugging (dumpsys adb's user_keys and keystore, and the
// bugreport's data/misc/adb/adb_keys). A trusted computer can install and
// control apps, so keys other than the acquiring computer's are flagged.
// The acquiring computer is androidqf's adb_host_public_key
// (acquisition.json) or, in a bugreport, the last key received.
package adbstate

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/adbkey"
	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_adb_state"

// Key is one trusted ADB key.
type Key struct {
	Key           string    `json:"key"`
	User          string    `json:"user"`
	Fingerprint   string    `json:"fingerprint"`
	LastConnected time.Time `json:"last_connected,omitzero"`
	Source        string    `json:"source"`
	Valid         bool      `json:"valid"`
}

// Module is the ADB state module.
type Module struct{ dumpmod.Module[*Parser] }

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 1, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*Parser]{New: newParser, Report: reportDump, EvenIfAbsent: true})}
}

// Parser reads the adb section line by line.
type Parser struct {
	Keys            []Key
	LastKeyReceived string
	Connected       string
	inKeys          bool
	inABX           bool // the keystore is in Android's binary XML
	byKey           map[string]int
}

var (
	xmlKeyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<adbKey key="([^"]*)"(?: lastConnection="(\d+)")?`) })
	identRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`) })
)

// Line feeds one line of the section.
func (p *Parser) Line(line string) {
	t := strings.TrimSpace(line)
	if p.inKeys {
		if structural(t) {
			p.inKeys = false
		} else {
			p.Add(t, "dumpsys user_keys", time.Time{})
			return
		}
	}
	switch {
	case strings.HasPrefix(t, "last_key_received="):
		p.LastKeyReceived = strings.TrimPrefix(t, "last_key_received=")
	case strings.HasPrefix(t, "connected_to_adb="):
		p.Connected = strings.TrimPrefix(t, "connected_to_adb=")
	case strings.HasPrefix(t, "user_keys="):
		p.inKeys = true
		if v := strings.TrimPrefix(t, "user_keys="); v != "" {
			p.Add(v, "dumpsys user_keys", time.Time{})
		}
	}
	if strings.Contains(t, "keystore=ABX\x00") {
		p.inABX = true
	}
	if p.inABX {
		p.abxKeys(t)
	}
	for _, m := range xmlKeyRE().FindAllStringSubmatch(t, -1) {
		var last time.Time
		if ms, err := strconv.ParseInt(m[2], 10, 64); err == nil && ms > 0 && ms < 1e14 {
			last = time.UnixMilli(ms).UTC()
		}
		p.Add(m[1], "dumpsys keystore", last)
	}
}

// abxKeys adds the keys of a keystore written in Android's binary XML
// (ABX, "keystore=ABX\x00..." on Android 12 and later, which writes
// adb_temp_keys.xml that way). The dump prints the file as text, so the
// binary tokens around the values may be replaced or cut into lines, but
// each <adbKey key="..."> value ("<base64> user@host") is written whole:
// every run of at least minABXKeyChars base64 characters that decodes is a
// key, with the user name that follows it. Its lastConnection (an 8-byte
// binary long) is not recovered. MVT reads ABX keystores the same way since
// 2026-08; spyscan saw none of their keys until 2026-12.
func (p *Parser) abxKeys(t string) {
	for i := 0; i < len(t); {
		if !isB64(t[i]) {
			i++
			continue
		}
		j := i
		for j < len(t) && isB64(t[j]) {
			j++
		}
		for k := 0; k < 2 && j < len(t) && t[j] == '='; k++ {
			j++
		}
		run := t[i:j]
		i = j
		if len(run) < minABXKeyChars {
			continue
		}
		if !decodes(run) && decodes(run[1:]) {
			run = run[1:] // the value's length prefix happened to be a base64 character
		} else if !decodes(run) {
			continue
		}
		user := ""
		if j < len(t) && t[j] == ' ' {
			k := j + 1
			for k < len(t) && isUserChar(t[k]) {
				k++
			}
			user, i = t[j+1:k], k
		}
		line := run
		if user != "" {
			line += " " + user
		}
		p.Add(line, "dumpsys keystore", time.Time{})
	}
}

// minABXKeyChars is far less than an adb key's base64 (700 characters)
// and more than any other base64-looking text of the adb section.
const minABXKeyChars = 300

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

func isUserChar(c byte) bool {
	return isB64(c) && c != '+' && c != '/' || c == '_' || c == '.' || c == '@' || c == '-'
}

func decodes(s string) bool {
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}

// structural reports whether a line met inside the multi-line user_keys
// value ends it (as MVT since #842): an empty line, a closing brace, or a
// "name=value" line of the dump ("connected_to_adb=true", "adb_wifi={",
// "system_keys=" with nothing after it). A key line ("<base64> user@host")
// also holds '=' (its padding) after letters, so a line is only taken as
// "name=" when what precedes its padding is not a whole key.
func structural(t string) bool {
	if t == "" || t == "}" {
		return true
	}
	if !identRE().MatchString(t) {
		return false
	}
	b64 := strings.Fields(t)[0]
	if !strings.HasSuffix(b64, "=") {
		return true // "name=value": a key's '=' is padding at its end
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	return err != nil || len(raw) < minKeyBytes
}

// minKeyBytes is less than any adb public key (an RSA-2048 key in
// Android's format is 524 bytes) and more than any "name=" a dump writes
// that happens to be valid base64.
const minKeyBytes = 64

// Add adds one "<base64> [user]" key line, merging duplicates.
func (p *Parser) Add(line, source string, last time.Time) {
	k := keyFromLine(line)
	if k.Key == "" {
		return
	}
	k.Source, k.LastConnected = source, last
	if p.byKey == nil {
		p.byKey = map[string]int{}
	}
	if i, ok := p.byKey[k.Key]; ok {
		if p.Keys[i].LastConnected.IsZero() {
			p.Keys[i].LastConnected = last
		}
		if p.Keys[i].User == "" {
			p.Keys[i].User = k.User
		}
		return
	}
	p.byKey[k.Key] = len(p.Keys)
	p.Keys = append(p.Keys, k)
}

func keyFromLine(line string) Key {
	a := adbkey.Parse(line)
	return Key{Key: a.Key, User: a.User, Fingerprint: a.Fingerprint, Valid: a.Valid()}
}

// newParser returns a fresh state and its parser.
func newParser(*module.Input) (*Parser, dumpmod.Parser) {
	p := &Parser{}
	return p, dumpmod.OnService("adb", p.Line)
}

// reportDump records what the pass parsed. The bugreport's adb_keys file is read
// too, so keys are reported even when the dump has no adb section.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, p *Parser) error {
	path := d.Path
	files := readKeyFiles(in.Acq.FS, in.Acq.Kind, rec, p)
	if d.Found == 0 && files == 0 {
		return module.ErrNotFound
	}
	host := hostKey(in.Acq.FS, in.Acq.Kind, p.LastKeyReceived)
	for _, k := range p.Keys {
		rec.Record(k)
		art := path
		if strings.HasPrefix(k.Source, "file ") {
			art = strings.TrimPrefix(k.Source, "file ")
		}
		w := module.Where{Artifact: art, Time: k.LastConnected, Label: i18n.M("android.what.adb_key"), Record: k}
		desc := i18n.M("android.adb_key", "fingerprint", k.Fingerprint, "user", orUnknown(k.User))
		if !k.LastConnected.IsZero() {
			rec.Event(model.Event{Time: k.LastConnected, Event: "adb_last_connection", Artifact: art,
				DescriptionMsg: i18n.M("android.event.adb_last", "key", desc)})
		}
		switch {
		case !k.Valid:
			rec.Flag(model.Low, w, i18n.M("android.title.adb_key_unreadable", "key", fmt.Sprintf("%.24q", k.Key)),
				known.ReasonMsg(known.ReasonUnknownADBKey), i18n.M("android.benign.adb_key_unreadable"))
		case host.Known() && !host.Matches(asKey(k)):
			rec.Flag(model.Low, w, i18n.M("android.title.adb_key_other", "key", desc),
				known.ReasonMsg(known.ReasonUnknownADBKey), i18n.M("android.benign.adb_key_other"))
		case !host.Known():
			rec.Flag(model.Info, w, i18n.M("android.title.adb_key_trusted", "key", desc),
				known.ReasonMsg(known.ReasonADBKeyPresent), i18n.M("android.benign.adb_key_trusted"))
		}
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown user"
	}
	return s
}

// readKeyFiles adds the keys of data/misc/adb/adb_keys in bugreports.
func readKeyFiles(fsys fs.FS, kind acquisition.Kind, rec *module.Recorder, p *Parser) int {
	n := 0
	for _, root := range locate.BugreportRoots(fsys, kind) {
		name := locate.Join(root, "FS/data/misc/adb/adb_keys")
		f, err := fsys.Open(name)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) { // present but unreadable, e.g. a link leading outside the input
				n++
				rec.FileError(name, fmt.Errorf("%s: %w", name, err))
			}
			continue
		}
		n++
		rec.File(name)
		sc := bufio.NewScanner(io.LimitReader(f, 16<<20))
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			p.Add(sc.Text(), "file "+name, time.Time{})
		}
		if err := sc.Err(); err != nil {
			rec.FileError(name, fmt.Errorf("%s: %w", name, err))
		}
		f.Close()
	}
	return n
}

// hostKey finds the acquiring computer's key: androidqf's
// acquisition.json, or in a bugreport the last key received.
func hostKey(fsys fs.FS, kind acquisition.Kind, lastReceived string) adbkey.Host {
	if kind == acquisition.AndroidQF {
		return adbkey.QFHost(fsys)
	}
	return adbkey.Host{Fingerprint: strings.TrimSpace(lastReceived)}
}

func asKey(k Key) adbkey.Key { return adbkey.Key{Key: k.Key, User: k.User, Fingerprint: k.Fingerprint} }
