package indicators

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unsafe"

	"github.com/spyscan/spyscan/internal/match"
)

// The update cache's parsed form. Parsing the cache's STIX bundles takes
// ~100 ms at every start (the embedded snapshot is compiled at build time
// instead); a scan after `iocs update` stores what it parsed in
// parsedName beside the cache's manifest: the entries' files and warnings,
// and the indicators as a stored index layered over the embedded snapshot's
// (match.EncodeOver), which the next scans open in place as the embedded
// one is (nothing is decoded but what a look-up hits). It is used when
// nothing it came from has changed: the key covers every manifest entry,
// the SHA-256 of every cached file's content, and the build of spyscan
// that parsed them (Options.Build: a parser or snapshot change means a new
// build; without a build identity nothing is stored or read). Anything
// wrong with the file (absent, stale, damaged: a CRC-32C covers it, not
// writable) only means the bundles are parsed again: it is never evidence
// and never trusted beyond what it decodes to.

// parsedName is the parsed form's file name inside the cache folder.
const parsedName = "parsed.idx"

// parsedMagic starts the file; the version changes with the layout.
const parsedMagic = "spyscan parsed cache 3\n"

// parsedEntry is what one manifest entry gave: its file (Path "" when it
// gave nothing), warnings, and how many indicators, in order, it added to
// the stored part.
type parsedEntry struct {
	File  File     `json:"file"`
	Warns []string `json:"warns,omitempty"`
	N     int      `json:"n"`
}

// parsedForm is a decoded parsed form: each manifest entry's file and
// warnings (no indicators), and the stored index of all their indicators
// layered over the embedded snapshot's, with its rejects.
type parsedForm struct {
	rs      []loaded
	st      *match.Stored
	rejects []match.Indicator
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

// readParsed returns dir's parsed form, opened over base, when its key is
// key; ok is false (parse again) otherwise.
func readParsed(dir, key string, entries int, base *match.Stored) (parsedForm, bool) {
	b, err := os.ReadFile(filepath.Join(dir, parsedName))
	if err != nil || len(b) == 0 {
		return parsedForm{}, false
	}
	// The stored index is read in place for the whole scan: b is never
	// written again, so it is viewed as a string rather than copied (the
	// parsed form is a few MB).
	pf, err := decodeParsed(unsafe.String(&b[0], len(b)), key, entries, base)
	return pf, err == nil
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// decodeParsed decodes a parsed form: the magic, the key, the CRC-32C of
// the rest, the length of the entries' JSON, the JSON, then the indicators
// as match.EncodeOver wrote them over base, opened in place over base.
func decodeParsed(s, key string, entries int, base *match.Stored) (parsedForm, error) {
	rest, ok := strings.CutPrefix(s, parsedMagic)
	if !ok {
		return parsedForm{}, errors.New("not a parsed cache")
	}
	if rest, ok = strings.CutPrefix(rest, key+"\n"); !ok {
		return parsedForm{}, errors.New("stale")
	}
	if len(rest) < 8 {
		return parsedForm{}, errors.New("truncated")
	}
	sum, rest := binary.LittleEndian.Uint32([]byte(rest[:4])), rest[4:]
	if crcString(rest) != sum {
		return parsedForm{}, errors.New("damaged")
	}
	n := binary.LittleEndian.Uint32([]byte(rest[:4]))
	if uint64(n) > uint64(len(rest)-4) {
		return parsedForm{}, errors.New("truncated")
	}
	var pes []parsedEntry
	if err := json.Unmarshal([]byte(rest[4:4+n]), &pes); err != nil {
		return parsedForm{}, err
	}
	if len(pes) != entries {
		return parsedForm{}, errors.New("entry count")
	}
	st, err := match.OpenStoredOver(rest[4+n:], base)
	if err != nil {
		return parsedForm{}, err
	}
	rejects, err := st.Rejects()
	if err != nil {
		return parsedForm{}, err
	}
	pf := parsedForm{rs: make([]loaded, len(pes)), st: st, rejects: rejects}
	total := 0
	for i, pe := range pes {
		if pe.N < 0 || pe.N > st.Len()-total {
			return parsedForm{}, errors.New("indicator count")
		}
		pf.rs[i] = loaded{file: pe.File, warns: pe.Warns}
		total += pe.N
	}
	if total != st.Len() {
		return parsedForm{}, errors.New("indicator count")
	}
	return pf, nil
}

// crcString is the CRC-32C of s, taken in pieces (a conversion of the
// whole would copy it).
func crcString(s string) uint32 {
	var buf [32 << 10]byte
	crc := uint32(0)
	for len(s) > 0 {
		n := copy(buf[:], s)
		crc = crc32.Update(crc, crcTable, buf[:n])
		s = s[n:]
	}
	return crc
}

// encodeParsed is decodeParsed's inverse.
func encodeParsed(key string, rs []loaded, base *match.Stored) ([]byte, error) {
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
	body := slices.Concat(binary.LittleEndian.AppendUint32(nil, uint32(len(meta))), meta, match.EncodeOver(base, all))
	head := binary.LittleEndian.AppendUint32([]byte(parsedMagic+key+"\n"), crc32.Update(0, crcTable, body))
	return append(head, body...), nil
}

// writeParsed stores the parsed form for the next scans; a failure (a
// read-only cache folder) is returned for the caller to log, never fatal.
func writeParsed(dir, key string, rs []loaded, base *match.Stored) error {
	b, err := encodeParsed(key, rs, base)
	if err != nil {
		return fmt.Errorf("indicator cache %s: %w", dir, err)
	}
	return writeAtomic(filepath.Join(dir, parsedName), b)
}
