// Package aqffiles owns the androidqf files module: files.json, the list of
// files androidqf found on the phone with their owner, SELinux context,
// times and hashes. Paths and hashes are checked against indicators,
// modification times go on the timeline, and files under /data/local/tmp
// (where exploits and root tools drop their payloads) are flagged. The file
// is decoded as a stream, so 500,000 entries cost one entry of memory
// (plus the records the recorder keeps).
package aqffiles

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_files"

// FileName is the artifact read.
const FileName = "files.json"

// SuspiciousDirs are where payloads are dropped.
var SuspiciousDirs = []string{"/data/local/tmp/"}

// Ignored are androidqf's own files under those directories.
var Ignored = map[string]bool{"/data/local/tmp/collector": true}

// File is one files.json entry.
type File struct {
	Path         string    `json:"path"`
	Size         int64     `json:"size"`
	Mode         string    `json:"mode"`
	UserID       int64     `json:"user_id"`
	UserName     string    `json:"user_name,omitempty"`
	GroupID      int64     `json:"group_id"`
	GroupName    string    `json:"group_name,omitempty"`
	ChangedTime  time.Time `json:"changed_time,omitzero"`
	ModifiedTime time.Time `json:"modified_time,omitzero"`
	AccessTime   time.Time `json:"access_time,omitzero"`
	Error        string    `json:"error,omitempty"`
	Context      string    `json:"context,omitempty"`
	SHA1         string    `json:"sha1,omitempty"`
	SHA256       string    `json:"sha256,omitempty"`
	SHA512       string    `json:"sha512,omitempty"`
	MD5          string    `json:"md5,omitempty"`
}

type raw struct {
	Path         string `json:"path"`
	Size         int64  `json:"size"`
	Mode         string `json:"mode"`
	UserID       int64  `json:"user_id"`
	UserName     string `json:"user_name"`
	GroupID      int64  `json:"group_id"`
	GroupName    string `json:"group_name"`
	ChangedTime  int64  `json:"changed_time"`
	ModifiedTime int64  `json:"modified_time"`
	AccessTime   int64  `json:"access_time"`
	Error        string `json:"error"`
	Context      string `json:"context"`
	SHA1         string `json:"sha1"`
	SHA256       string `json:"sha256"`
	SHA512       string `json:"sha512"`
	MD5          string `json:"md5"`
}

func unix(s int64) time.Time {
	if s <= 0 || s > 1<<40 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

func (r raw) file() File {
	return File{Path: r.Path, Size: r.Size, Mode: r.Mode, UserID: r.UserID, UserName: r.UserName, GroupID: r.GroupID,
		GroupName: r.GroupName, ChangedTime: unix(r.ChangedTime), ModifiedTime: unix(r.ModifiedTime),
		AccessTime: unix(r.AccessTime), Error: r.Error, Context: r.Context, SHA1: r.SHA1, SHA256: r.SHA256,
		SHA512: r.SHA512, MD5: r.MD5}
}

// Module is the androidqf files module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// Decode streams the entries of files.json (a JSON array, or one object per
// line as older androidqf wrote) to fn. Flat entries take a fast path;
// anything else is decoded by encoding/json with the same result. Entries
// with mistyped values are passed on as far as they were read; the first
// syntax error is returned.
func Decode(ctx context.Context, r io.Reader, fn func(File)) error {
	br := bufio.NewReaderSize(r, 256<<10)
	first, err := peek(br)
	if err != nil {
		return err
	}
	o := objects{br: br}
	if first == '[' {
		_, _ = br.ReadByte()
		o.array = true
	}
	var f raw // parseObject sets every field; one for all entries (it escapes into encoding/json)
	for i := 0; ; i++ {
		if i&0xfff == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		ok, err := o.nextFlat(&f)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !ok {
			if err := nextObject(&o, &f); err != nil {
				return err
			}
		}
		fn(f.file())
	}
}

// nextObject reads the next object as its bytes (objects.next), then
// parses them (parseObject): the way for the entries nextFlat leaves.
func nextObject(o *objects, f *raw) error {
	b, err := o.next()
	if err == io.EOF {
		return io.ErrUnexpectedEOF // nextFlat saw the object's '{'
	}
	if err != nil {
		return err
	}
	if err := parseObject(b, f); err != nil && !isTypeError(err) {
		return err
	}
	return nil
}

// isTypeError tells a mistyped value (the entry is passed on as far as it
// was read) from a syntax error.
func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

func peek(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, fmt.Errorf("empty file")
			}
			return 0, err
		}
		if b != ' ' && b != '\n' && b != '\r' && b != '\t' {
			if err := br.UnreadByte(); err != nil {
				return 0, err
			}
			if b != '[' && b != '{' {
				return 0, fmt.Errorf("not a JSON list of files (starts with %q)", b)
			}
			return b, nil
		}
	}
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	f, err := in.Acq.FS.Open(FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return module.ErrNotFound
	}
	if err != nil {
		rec.FileError(FileName, fmt.Errorf("%s: %w", FileName, err))
		return nil
	}
	defer f.Close()
	rec.File(FileName)
	n := 0
	var cur File // one for all entries: what report hands on is encoded at once, never kept
	err = Decode(ctx, f, func(fl File) {
		n++
		cur = fl
		report(rec, &cur)
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rec.FileError(FileName, fmt.Errorf("%s: malformed JSON after %d files: %w", FileName, n, err))
	}
	return nil
}

// report records an entry, puts its modification on the timeline and
// checks its path and hashes. f is not kept.
func report(rec *module.Recorder, f *File) {
	rec.Record(f)
	if !f.ModifiedTime.IsZero() {
		e := model.Event{Time: f.ModifiedTime, Event: macb(f), Artifact: FileName, Description: f.Path}
		if f.Context != "" {
			e.DescriptionMsg = i18n.S("android.event.file", "path", f.Path, "context", f.Context)
		}
		rec.Event(e)
	}
	w := module.Where{Artifact: FileName, Time: f.ModifiedTime, Label: i18n.M("android.what.file_path"), Record: f}
	hit := rec.CheckPath(f.Path, w)
	w.Label = i18n.M("android.what.file_hash")
	for _, h := range []string{f.SHA256, f.SHA1, f.MD5} {
		if rec.CheckFileHash(h, w) {
			hit = true
			break
		}
	}
	if hit || Ignored[f.Path] {
		return
	}
	for _, d := range SuspiciousDirs {
		if !strings.HasPrefix(f.Path, d) {
			continue
		}
		level, title := model.Medium, "android.title.tmp_file"
		if strings.Contains(f.Mode, "x") {
			level, title = model.High, "android.title.tmp_executable"
		}
		rec.Flag(level, w, i18n.M(title, "dir", d, "path", f.Path),
			known.ReasonMsg(known.ReasonTmpFile), i18n.M("android.benign.file_in_data_local_tmp"))
	}
}

// macb marks which of the file's times equal its modification time.
func macb(f *File) string {
	a, c := f.AccessTime.Equal(f.ModifiedTime), f.ChangedTime.Equal(f.ModifiedTime)
	switch {
	case a && c:
		return "MAC-"
	case a:
		return "MA--"
	case c:
		return "M-C-"
	}
	return "M---"
}
