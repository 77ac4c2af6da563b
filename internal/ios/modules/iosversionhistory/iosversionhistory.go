// Package iosversionhistory owns the iOS update history of a filesystem
// dump: the first line of each analyticsd journal
// (private/var/db/analyticsd/Analytics-Journal-*.ips) names the iOS version
// the phone ran when the journal was written. Each version becomes a record
// and a timeline event, so the history of updates (and its gaps) is visible.
package iosversionhistory

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's identifier.
const Name = "ios_version_history"

// Spec locates the analyticsd journals.
var Spec = artifact.Spec{
	Dump: []string{"private/var/db/analyticsd/Analytics-Journal-*.ips"},
}

// maxLine bounds the first line of a journal.
const maxLine = 1 << 20

// Module is the iOS version history module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, Spec)} }

// Record is one journal's header.
type Record struct {
	Time      time.Time `json:"timestamp"`
	OSVersion string    `json:"os_version"`
	File      string    `json:"file"`
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	paths, err := iosmod.Find(in, Spec)
	if err != nil {
		return err
	}
	var recs []Record
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec.File(p)
		r, err := readJournal(in, p)
		if err != nil {
			rec.FileError(p, err)
			continue
		}
		recs = append(recs, r)
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time.Before(recs[j].Time) })
	for _, r := range recs {
		rec.Record(r)
		rec.Event(model.Event{Time: r.Time, Event: "ios_version", Artifact: r.File,
			DescriptionMsg: i18n.M("ios.version_history.event", "version", r.OSVersion)})
	}
	return nil
}

func readJournal(in *module.Input, p string) (Record, error) {
	f, err := in.Acq.FS.Open(p)
	if err != nil {
		return Record{}, fmt.Errorf("%s: %w", p, err)
	}
	defer f.Close()
	line, err := firstLine(f)
	if err != nil {
		return Record{}, fmt.Errorf("%s: %w", p, err)
	}
	ts, ver, err := ParseHeader(line)
	if err != nil {
		return Record{}, fmt.Errorf("%s: %w", p, err)
	}
	return Record{Time: ts, OSVersion: ver, File: p}, nil
}

func firstLine(r io.Reader) ([]byte, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxLine), 64<<10)
	var buf bytes.Buffer
	for {
		chunk, err := br.ReadSlice('\n')
		buf.Write(chunk)
		if err == nil || errors.Is(err, io.EOF) {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
	if buf.Len() == 0 {
		return nil, errors.New("empty journal")
	}
	return buf.Bytes(), nil
}

// ErrNoVersion means the journal's first line has no os_version.
var ErrNoVersion = errors.New("first line has no os_version")

// ParseHeader parses the JSON first line of an analytics journal, e.g.
// {"timestamp":"2021-07-14 11:30:00.00 +0200","os_version":"iPhone OS 14.6 (18F72)",...}.
func ParseHeader(line []byte) (time.Time, string, error) {
	var h struct {
		Timestamp string `json:"timestamp"`
		OSVersion string `json:"os_version"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(line), &h); err != nil {
		return time.Time{}, "", fmt.Errorf("first line is not a JSON header: %w", err)
	}
	if strings.TrimSpace(h.OSVersion) == "" {
		return time.Time{}, "", ErrNoVersion
	}
	ts, err := time.Parse("2006-01-02 15:04:05 -0700", h.Timestamp)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("bad timestamp %q: %w", h.Timestamp, err)
	}
	return ts.UTC(), h.OSVersion, nil
}
