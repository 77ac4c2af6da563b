// Package resolverlog owns the streaming reader of plain DNS resolver logs:
// lists of one queried name per line, dnsmasq (and Pi-hole) query logs,
// unbound query/reply logs and BIND query logs. It detects the format from
// the first lines, reads line by line with a bounded length, returns the
// fields as byte slices into its buffer (no per-line allocation) and counts
// the lines it cannot read, per reason.
package resolverlog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/safearchive"
)

// MaxLine is the longest line read; longer lines are skipped and counted.
const MaxLine = 64 << 10

// Format of a resolver log.
type Format int

// Resolver log formats.
const (
	Unknown Format = iota
	Plain          // one domain name a line
	Dnsmasq        // dnsmasq log-queries lines (also Pi-hole's pihole.log)
	Unbound        // unbound log-queries / log-replies lines
	BIND           // BIND named query log (category queries)
)

func (f Format) String() string {
	return [...]string{"unknown", "plain", "dnsmasq", "unbound", "bind"}[f]
}

// Kind of a log entry.
type Kind int

// Entry kinds.
const (
	Query Kind = iota // a name asked by a client
	Reply             // an answer: Name resolved to Answer
)

// Entry is one parsed line. Its byte slices point into the reader's buffer
// and are valid until the next call to Next.
type Entry struct {
	Kind   Kind
	Time   time.Time // zero when the format has none
	Client []byte    // client address, when logged
	Name   []byte    // queried name, without a trailing dot
	QType  []byte    // "A", "AAAA"...: when logged
	Answer []byte    // for replies: an address or a CNAME target
}

// Reasons a line is skipped, as counted in Reader.Bad.
const (
	BadTooLong  = "line too long"
	BadFormat   = "line not in the detected format"
	BadName     = "not a domain name"
	BadTime     = "malformed timestamp"
	sniffLines  = 50
	sniffMinHit = 0.6
)

// Reader streams the entries of one resolver log.
type Reader struct {
	br     *bufio.Reader
	format Format
	year   int
	e      Entry
	line   int
	bad    map[string]int
	err    error
	other  int // lines of the format that carry no query (forwarded, config...)
}

// NewReader returns a reader of r, which may be gzip-compressed. The format
// is detected from the first lines; year is used for syslog timestamps,
// which have none (pass the log file's modification year).
func NewReader(r io.Reader, year int) (*Reader, error) {
	br := bufio.NewReaderSize(r, MaxLine)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := safearchive.Gunzip(br, "")
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, MaxLine)
	}
	head, _ := br.Peek(MaxLine)
	f := Detect(head)
	if f == Unknown {
		return nil, ErrUnknownFormat
	}
	return &Reader{br: br, format: f, year: year, bad: map[string]int{}}, nil
}

// ErrUnknownFormat is returned when the first lines match no format.
var ErrUnknownFormat = errors.New("not a known resolver log format")

// Format is the detected format.
func (r *Reader) Format() Format { return r.format }

// Bad returns the skipped lines per reason.
func (r *Reader) Bad() map[string]int { return r.bad }

// Other is the number of well-formed lines that carry no query or reply.
func (r *Reader) Other() int { return r.other }

// Err is the I/O error that ended reading, if any.
func (r *Reader) Err() error { return r.err }

// Entry is the current entry.
func (r *Reader) Entry() *Entry { return &r.e }

// Next advances to the next query or reply.
func (r *Reader) Next() bool {
	for {
		line, err := r.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.br.ReadSlice('\n')
			}
			r.line++
			r.bad[BadTooLong]++
			if err != nil && !errors.Is(err, io.EOF) {
				r.err = err
				return false
			}
			continue
		}
		if len(line) == 0 && err != nil {
			if !errors.Is(err, io.EOF) {
				r.err = err
			}
			return false
		}
		r.line++
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > 0 {
			switch res := parseLine(r.format, line, r.year, &r.e); res {
			case "":
				return true
			case resOther:
				r.other++
			default:
				r.bad[res]++
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				r.err = err
			}
			return false
		}
	}
}

const resOther = "other"

// parseLine parses one line of format f into e; it returns "" for an entry,
// resOther for a line without one, or a Bad* reason.
func parseLine(f Format, line []byte, year int, e *Entry) string {
	*e = Entry{}
	switch f {
	case Plain:
		return ParsePlain(line, e)
	case Dnsmasq:
		return ParseDnsmasq(line, year, e)
	case Unbound:
		return ParseUnbound(line, year, e)
	case BIND:
		return ParseBIND(line, year, e)
	}
	return BadFormat
}

// notTLDs are file-name extensions that are no top-level domain (none is
// in the root zone): a line ending in one names a file, as an unzipped
// bugreport's main_entry.txt does, not a host.
var notTLDs = map[string]bool{"txt": true, "log": true, "json": true, "csv": true, "xml": true, "pb": true,
	"gz": true, "db": true, "sqlite": true, "plist": true, "bin": true, "html": true, "htm": true, "tmp": true}

// hostLike reports whether a name read by ParsePlain may be a host name
// when sniffing a plain list: its last label is neither all digits (no
// top-level domain is: "2.0" is a version, "10.0.0.1" an address) nor a
// file-name extension.
func hostLike(name []byte) bool {
	tld := name[bytes.LastIndexByte(name, '.')+1:]
	if notTLDs[strings.ToLower(string(tld))] {
		return false
	}
	for _, c := range tld {
		if c < '0' || c > '9' {
			return true
		}
	}
	return false
}

// Detect guesses the format of a log from its first bytes: the format that
// reads most of the first lines.
func Detect(head []byte) Format {
	var counts [5]int
	lines := 0
	for len(head) > 0 && lines < sniffLines {
		line := head
		i := bytes.IndexByte(head, '\n')
		if i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			if len(head) == MaxLine {
				break // a cut line
			}
			head = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		lines++
		var e Entry
		for _, f := range []Format{Dnsmasq, Unbound, BIND, Plain} {
			res := parseLine(f, line, 2000, &e)
			if f == Plain && res == "" && !hostLike(e.Name) {
				continue // a file name or a version number, not a host name
			}
			if res == "" || (res == resOther && f != Plain) {
				counts[f]++
				break
			}
		}
	}
	if lines == 0 {
		return Unknown
	}
	best := Unknown
	for f := Plain; f <= BIND; f++ {
		if counts[f] > counts[best] {
			best = f
		}
	}
	if float64(counts[best]) < sniffMinHit*float64(lines) {
		return Unknown
	}
	return best
}
