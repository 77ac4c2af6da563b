package indicators

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/match"
)

// The update cache's parsed form. Parsing the cache's STIX bundles takes
// ~100 ms at every start (the embedded snapshot is compiled at build time
// instead); a scan after `iocs update` stores what it parsed in
// parsedName beside the cache's manifest, and the next scans decode it
// (~5 ms) when nothing it came from has changed: the key covers every
// manifest entry, the SHA-256 of every cached file's content, and the
// build of spyscan that parsed them (Options.Build: a parser change means
// a new build; without a build identity nothing is stored or read).
// Anything wrong with the file (absent, stale, damaged, not writable) only
// means the bundles are parsed again: it is never evidence and never
// trusted beyond what it decodes to.

// parsedName is the parsed form's file name inside the cache folder.
const parsedName = "parsed.idx"

// parsedMagic starts the file; the version changes with the layout.
const parsedMagic = "spyscan parsed cache 1\n"

// parsedEntry is what one manifest entry gave: its file (Path "" when it
// gave nothing), warnings, and how many indicators, in order, it added to
// the stored part.
type parsedEntry struct {
	File  File     `json:"file"`
	Warns []string `json:"warns,omitempty"`
	N     int      `json:"n"`
}

// parsedKey is the key of a cache's parsed form: the build, then each
// manifest entry with the SHA-256 of what was read of it ("" when it
// could not be read). ok is false when the parsed form is off (no build).
func parsedKey(build string, es []CacheEntry, sums []string) (string, bool) {
	if build == "" {
		return "", false
	}
	h := sha256.New()
	h.Write([]byte(parsedMagic + build + "\n"))
	for i, e := range es {
		b, err := json.Marshal(e)
		if err != nil {
			return "", false
		}
		h.Write(b)
		h.Write([]byte("\x00" + sums[i] + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// readParsed returns the loaded form of each manifest entry from dir's
// parsed form when its key is key; ok is false (parse again) otherwise.
func readParsed(dir, key string, entries int) ([]loaded, bool) {
	b, err := os.ReadFile(filepath.Join(dir, parsedName))
	if err != nil {
		return nil, false
	}
	out, err := decodeParsed(string(b), key, entries)
	return out, err == nil
}

// decodeParsed decodes a parsed form: the magic, the key, the length of
// the entries' JSON, the JSON, then the indicators as match.Encode wrote
// them.
func decodeParsed(s, key string, entries int) ([]loaded, error) {
	rest, ok := strings.CutPrefix(s, parsedMagic)
	if !ok {
		return nil, errors.New("not a parsed cache")
	}
	if rest, ok = strings.CutPrefix(rest, key+"\n"); !ok {
		return nil, errors.New("stale")
	}
	if len(rest) < 4 {
		return nil, errors.New("truncated")
	}
	n := binary.LittleEndian.Uint32([]byte(rest[:4]))
	if uint64(n) > uint64(len(rest)-4) {
		return nil, errors.New("truncated")
	}
	var pes []parsedEntry
	if err := json.Unmarshal([]byte(rest[4:4+n]), &pes); err != nil {
		return nil, err
	}
	if len(pes) != entries {
		return nil, errors.New("entry count")
	}
	st, err := match.OpenStored(rest[4+n:])
	if err != nil {
		return nil, err
	}
	inds, err := st.Indicators()
	if err != nil {
		return nil, err
	}
	out := make([]loaded, len(pes))
	off := 0
	for i, pe := range pes {
		if pe.N < 0 || pe.N > len(inds)-off {
			return nil, errors.New("indicator count")
		}
		out[i] = loaded{file: pe.File, warns: pe.Warns, inds: inds[off : off+pe.N : off+pe.N]}
		off += pe.N
	}
	if off != len(inds) {
		return nil, errors.New("indicator count")
	}
	return out, nil
}

// encodeParsed is decodeParsed's inverse.
func encodeParsed(key string, rs []loaded) ([]byte, error) {
	pes := make([]parsedEntry, len(rs))
	var all []match.Indicator
	for i, r := range rs {
		pes[i] = parsedEntry{File: r.file, Warns: r.warns, N: len(r.inds)}
		all = append(all, r.inds...)
	}
	meta, err := json.Marshal(pes)
	if err != nil {
		return nil, err
	}
	b := slices.Concat([]byte(parsedMagic+key+"\n"), binary.LittleEndian.AppendUint32(nil, uint32(len(meta))), meta)
	return append(b, match.Encode(all)...), nil
}

// writeParsed stores the parsed form for the next scans; a failure (a
// read-only cache folder) is returned for the caller to log, never fatal.
func writeParsed(dir, key string, rs []loaded) error {
	b, err := encodeParsed(key, rs)
	if err != nil {
		return fmt.Errorf("indicator cache %s: %w", dir, err)
	}
	return writeAtomic(filepath.Join(dir, parsedName), b)
}
