package module

import (
	"encoding/json"
	"sort"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// ErrNotFound is returned by a module that applies to the input kind but
// found none of its files. The module is then listed as "empty".
var ErrNotFound = model.NewError(model.KindMissing, "artifact not present")

// Where says where a checked value was observed.
type Where struct {
	Artifact string    // path inside the acquisition
	Time     time.Time // when the record happened (UTC); zero if unknown
	// Label names the field, e.g. i18n.M("ios.safari_history.what_url")
	// ("Safari history URL"); it is translated in reports.
	Label  i18n.Msg
	Record any // the record, marshalled into the alert
}

// label returns the field label as a message: Label, else the generic
// "Value".
func (w Where) label() i18n.Msg {
	if !w.Label.IsZero() {
		return w.Label
	}
	return i18n.M("what.value")
}

// Observable is a value a module checked against the indicators. The core
// stores them so `spyscan recheck` can re-run newer indicators without the
// acquisition.
type Observable struct {
	Type      match.Type `json:"type"`
	Value     string     `json:"value"`
	Artifact  string     `json:"artifact"`
	What      string     `json:"what,omitempty"` // English rendering of WhatMsg
	WhatMsg   i18n.Msg   `json:"what_i18n,omitzero"`
	FirstSeen time.Time  `json:"first_seen,omitzero"`
	Count     int        `json:"count"`
}

// LabelOf returns msg, or when it is zero and english is set, english as a
// literal: the label of a value read back from older results.
func LabelOf(msg i18n.Msg, english string) i18n.Msg {
	if msg.IsZero() && english != "" {
		return i18n.M("literal", "text", english)
	}
	return msg
}

type obsKey struct {
	t             match.Type
	value, artifs string
}

// Recorder collects what one module run produces. It is safe for concurrent
// use by the goroutines of one module.
//
// A recorder made by NewRecorder keeps events and observables in memory
// (tests, recheck, the canary); one made by NewStreamingRecorder hands them
// to its Sinks as they come, so that memory stays bounded whatever the
// size of the input.
type Recorder struct {
	mu       sync.Mutex
	index    *match.Index
	res      model.ModuleResult
	files    map[string]bool
	obs      map[obsKey]obsPos // position in batch
	batch    obsBatch          // the distinct checked values held, in the order first seen
	english  map[string]string // English of the argument-less labels, by key
	sinks    Sinks
	keepRecs bool
	sinkErr  error
	recBuf   []byte // a JSONAppender record's encoding, reused when streamed
}

// JSONAppender is a record that appends its own JSON, byte for byte what
// json.Marshal writes for it, without reflection (the network records: a
// capture has millions). An error (a value json.Marshal refuses) makes
// Record fall back to json.Marshal.
type JSONAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// Sinks receive what a streaming recorder records. A nil sink keeps that
// kind in memory, in the result.
type Sinks struct {
	// Records receives each record's JSON, valid only during the call.
	Records func(json.RawMessage) error
	Events  func(model.Event) error
	// Observables receives the checked values held, each counted once
	// per batch, whenever ObservableBatch distinct values have been
	// checked and at Flush: a batch comes in one or more calls, each with
	// values of its own. The receiver merges what it gets; it must not
	// keep the slice, which the recorder reuses.
	Observables func([]Observable) error
}

// ObservableBatch is how many distinct checked values a streaming recorder
// holds before handing them to its sink.
const ObservableBatch = 4 << 10

// NewRecorder returns a recorder for module name. When sink is nil, records
// are kept in memory in the result; otherwise each is handed to sink.
// Events and observables are kept in memory.
func NewRecorder(name string, ix *match.Index, sink func(json.RawMessage) error) *Recorder {
	return NewStreamingRecorder(name, ix, Sinks{Records: sink})
}

// NewStreamingRecorder returns a recorder for module name that streams to
// the non-nil sinks.
func NewStreamingRecorder(name string, ix *match.Index, s Sinks) *Recorder {
	return &Recorder{index: ix, res: model.ModuleResult{Module: name}, files: map[string]bool{},
		obs: map[obsKey]obsPos{}, english: map[string]string{}, sinks: s, keepRecs: s.Records == nil}
}

// sinkFailed records the first sink failure (the module goes on; the
// failure is a file error of the module, so it never reads as complete).
func (r *Recorder) sinkFailed(what string, err error) {
	if r.sinkErr == nil {
		r.sinkErr = err
		r.res.Errors = append(r.res.Errors, model.FileError{Path: "(" + what + ")", Error: err.Error(), Kind: model.KindOf(err)})
	}
}

// Seen counts n records read without storing them (for the self-test).
func (r *Recorder) Seen(n int) {
	r.mu.Lock()
	r.res.Seen += n
	r.mu.Unlock()
}

// File notes that an artifact file was read.
func (r *Recorder) File(path string) {
	r.mu.Lock()
	r.files[path] = true
	r.mu.Unlock()
}

// FileError records a failure to read path; err should already name the path.
func (r *Recorder) FileError(path string, err error) {
	r.mu.Lock()
	r.res.Errors = append(r.res.Errors, model.FileError{Path: path, Error: err.Error(), Kind: model.KindOf(err)})
	r.mu.Unlock()
}

// Note records a remark shown beside the module's status, such as schema
// drift or a limit reached, as a catalog message (its English rendering is
// kept beside it).
func (r *Recorder) Note(m i18n.Msg) {
	r.mu.Lock()
	r.res.Notes = append(r.res.Notes, i18n.English(m))
	r.res.NotesMsg = append(r.res.NotesMsg, m)
	r.mu.Unlock()
}

// Record stores one parsed record (and counts it as seen).
func (r *Recorder) Record(v any) {
	if a, ok := v.(JSONAppender); ok && r.appendRecord(a) {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"unencodable_record": err.Error()})
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Seen++
	if r.sinks.Records != nil {
		if err := r.sinks.Records(b); err != nil {
			r.sinkFailed("records", err)
			r.sinks.Records = func(json.RawMessage) error { return nil }
		}
		return
	}
	r.res.Records = append(r.res.Records, b)
}

// appendRecord records a JSONAppender through the reused buffer; false
// when it refused its value.
func (r *Recorder) appendRecord(a JSONAppender) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := a.AppendJSON(r.recBuf[:0])
	if err != nil {
		return false
	}
	r.recBuf = b
	r.res.Seen++
	if r.sinks.Records != nil {
		if err := r.sinks.Records(b); err != nil {
			r.sinkFailed("records", err)
			r.sinks.Records = func(json.RawMessage) error { return nil }
		}
		return true
	}
	r.res.Records = append(r.res.Records, append(json.RawMessage(nil), b...))
	return true
}

// Event adds a timeline event. The module name is filled in, and the
// English Description from DescriptionMsg when that is set.
func (r *Recorder) Event(e model.Event) {
	e.FillEnglish()
	r.mu.Lock()
	e.Module = r.res.Module
	e.Time = e.Time.UTC()
	if r.sinks.Events != nil {
		if err := r.sinks.Events(e); err != nil {
			r.sinkFailed("timeline", err)
		}
	} else {
		r.res.Timeline = append(r.res.Timeline, e)
	}
	r.mu.Unlock()
}

// Alert adds an alert. The module name is filled in, and the English
// texts from their Msg where set.
func (r *Recorder) Alert(a model.Alert) {
	a.FillEnglish()
	r.mu.Lock()
	a.Module = r.res.Module
	a.Time = a.Time.UTC()
	r.res.Alerts = append(r.res.Alerts, a)
	r.mu.Unlock()
}

// Flag adds an alert that comes from a rule rather than an indicator: its
// title, why it is suspicious and why it may be benign, as catalog messages
// (benign may be the zero Msg when nothing innocent explains it).
func (r *Recorder) Flag(level model.Level, w Where, title, reason, benign i18n.Msg) {
	r.Alert(model.Alert{Level: level, MessageMsg: title, Time: w.Time, Artifact: w.Artifact,
		Record: marshalRecord(w.Record), ReasonMsg: reason, BenignMsg: benign})
}

func marshalRecord(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// observe stores a checked value for recheck.
func (r *Recorder) observe(t match.Type, value string, w Where) {
	k := obsKey{t, value, w.Artifact}
	r.mu.Lock()
	var o *Observable
	if i, ok := r.obs[k]; ok {
		o = r.batch.at(i)
		if !w.Time.IsZero() && (o.FirstSeen.IsZero() || w.Time.Before(o.FirstSeen)) {
			o.FirstSeen = w.Time.UTC()
		}
	} else {
		l := w.label()
		var i obsPos
		i, o = r.batch.add()
		*o = Observable{Type: t, Value: value, Artifact: w.Artifact, What: r.englishLocked(l), WhatMsg: l, FirstSeen: w.Time.UTC()}
		r.obs[k] = i
	}
	o.Count++
	if r.sinks.Observables != nil && r.batch.n >= ObservableBatch {
		r.flushObservablesLocked()
	}
	r.mu.Unlock()
}

// englishLocked renders a label in English, once per key for the labels
// without arguments (a module checks many values under a few labels).
func (r *Recorder) englishLocked(l i18n.Msg) string {
	if len(l.Args) > 0 {
		return i18n.English(l)
	}
	s, ok := r.english[l.Key]
	if !ok {
		s = i18n.English(l)
		r.english[l.Key] = s
	}
	return s
}

// flushObservablesLocked hands the batch to the sink, which must not keep
// the slice: it is reused for the next batch.
func (r *Recorder) flushObservablesLocked() {
	if r.batch.n == 0 {
		return
	}
	for _, c := range r.batch.filled() {
		if err := r.sinks.Observables(c); err != nil {
			r.sinkFailed("observables", err)
			break
		}
	}
	clear(r.obs)
	r.batch.reset()
}

// Flush hands the observables still held to the Observables sink (a
// streaming recorder's owner calls it once the module is done), and lets
// the batch's memory go.
func (r *Recorder) Flush() {
	r.mu.Lock()
	if r.sinks.Observables != nil {
		r.flushObservablesLocked()
		r.batch, r.obs = obsBatch{}, map[obsKey]obsPos{}
	}
	r.mu.Unlock()
}

// Result returns the module's result, with files, alerts and events sorted
// so that the output is deterministic.
func (r *Recorder) Result() model.ModuleResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.res
	res.Files = res.Files[:0]
	for f := range r.files {
		res.Files = append(res.Files, f)
	}
	sort.Strings(res.Files)
	model.SortAlerts(res.Alerts)
	model.SortEvents(res.Timeline)
	sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].Path < res.Errors[j].Path })
	return res
}

// Observables returns the checked values held in memory, sorted (all of
// them unless an Observables sink is set).
func (r *Recorder) Observables() []Observable {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Observable, 0, r.batch.n)
	for _, c := range r.batch.filled() {
		out = append(out, c...)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.Value != b.Value {
			return a.Value < b.Value
		}
		return a.Artifact < b.Artifact
	})
	return out
}

// obsBatch holds a batch's distinct checked values, in the order first
// seen, in chunks of growing size (8, 16, 32... up to maxObsChunk values)
// that are never copied: one slice grown by doubling allocated about
// twice what it ended up holding (the manifest module checks a path per
// file: 1.1 MB for MVT's sample's 3,721 files). The chunks are kept for
// the next batch.
type obsBatch struct {
	chunks [][]Observable // chunks[:fill+1] hold the batch; len is what each holds
	fill   int            // the chunk being filled
	n      int            // values held
}

// obsPos is a value's place in an obsBatch: chunk<<16 | index.
type obsPos int

const (
	minObsChunk = 8
	maxObsChunk = 512 // 64 KiB of Observables
)

// add makes room for one more value and returns its place and address.
func (b *obsBatch) add() (obsPos, *Observable) {
	for b.fill < len(b.chunks) && len(b.chunks[b.fill]) == cap(b.chunks[b.fill]) {
		b.fill++
	}
	if b.fill == len(b.chunks) {
		size := minObsChunk
		if k := len(b.chunks); k > 0 {
			size = min(2*cap(b.chunks[k-1]), maxObsChunk)
		}
		b.chunks = append(b.chunks, make([]Observable, 0, size))
	}
	c := &b.chunks[b.fill]
	*c = append(*c, Observable{})
	b.n++
	return obsPos(b.fill<<16 | (len(*c) - 1)), &(*c)[len(*c)-1]
}

// at returns the value at p.
func (b *obsBatch) at(p obsPos) *Observable { return &b.chunks[p>>16][p&0xffff] }

// filled returns the chunks that hold values, in order.
func (b *obsBatch) filled() [][]Observable {
	if b.n == 0 {
		return nil
	}
	return b.chunks[:min(b.fill+1, len(b.chunks))]
}

// reset empties the batch, keeping its chunks.
func (b *obsBatch) reset() {
	for i := range b.chunks {
		clear(b.chunks[i])
		b.chunks[i] = b.chunks[i][:0]
	}
	b.fill, b.n = 0, 0
}
