// Package dumpsys owns splitting Android dumpstate (bugreport) and dumpsys
// text into its sections: the "DUMP OF SERVICE <name>:" sections of dumpsys
// and the "------ <TITLE> (<cmd>) ------" blocks of a bugreport, such as
// SYSTEM PROPERTIES. It streams: the text is read line by line with a bounded
// line length and never held whole, so a 200 MB dumpstate costs a buffer.
// A section cut by the end of the file is reported as truncated.
package dumpsys

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// MaxLine is the longest line delivered; the rest of a longer line is
// dropped (and counted in Stats.LongLines).
const MaxLine = 1 << 20

// Kind is the kind of a section.
type Kind int

// Section kinds.
const (
	None    Kind = iota // outside any section (the dumpstate preamble)
	Block               // a bugreport "------ TITLE (cmd) ------" block
	Service             // a dumpsys "DUMP OF SERVICE name:" section
)

// Section is the section a line belongs to.
type Section struct {
	Kind      Kind
	Name      string   // service name, or block title ("SYSTEM PROPERTIES")
	Command   string   // block command ("getprop"); "" for services
	Priority  string   // "CRITICAL", "HIGH" or "" for services
	Line      int      // 1-based line number of the header
	Parent    *Section // the block a service section is nested in, or nil
	Truncated bool     // set (before End) when the file ended inside it
	Ended     bool     // set (before End) when its end marker was seen
}

// Stats summarises one pass.
type Stats struct {
	Bytes     int64
	Lines     int
	Sections  int
	LongLines int
}

// Visitor receives the lines. Line gets each line (without its newline) with
// the innermost section it is in; the slice is only valid during the call.
// End is called once when a section closes. Header and end-marker lines are
// not passed to Line. Either function may be nil; returning an error stops
// the pass and Split returns it.
type Visitor struct {
	Line func(s *Section, line []byte) error
	End  func(s *Section) error
}

// ErrStop may be returned by a visitor to stop early without error.
var ErrStop = errors.New("stop")

var (
	servicePrefix = []byte("DUMP OF SERVICE ")
	durationMark  = []byte("was the duration of ")
	blockPrefix   = []byte("------ ")
	blockSuffix   = []byte(" ------")
)

type splitter struct {
	v       Visitor
	st      Stats
	block   *Section
	service *Section
	// pendingDashes is a dashes line seen inside a service: it ends the
	// service only if a header (or the end of the file) follows.
	pendingDashes bool
}

// Split reads r to its end and hands every line to v.
func Split(ctx context.Context, r io.Reader, v Visitor) (Stats, error) {
	sp := &splitter{v: v}
	cr := &countReader{r: r}
	br := bufio.NewReaderSize(cr, 256<<10)
	var long []byte
	for {
		if sp.st.Lines&0xfff == 0 {
			if err := ctx.Err(); err != nil {
				return sp.st, err
			}
		}
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				if room := MaxLine - len(long); room > 0 {
					long = append(long, line[:min(len(line), room)]...)
				}
			}
			if len(long) >= MaxLine {
				sp.st.LongLines++
			}
			line = long
		}
		if len(line) > 0 {
			if herr := sp.handle(trimEOL(line)); herr != nil {
				sp.st.Bytes = cr.n
				if errors.Is(herr, ErrStop) {
					return sp.st, nil
				}
				return sp.st, herr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			sp.st.Bytes = cr.n
			return sp.st, err
		}
	}
	err := sp.finish()
	sp.st.Bytes = cr.n
	if errors.Is(err, ErrStop) {
		err = nil
	}
	return sp.st, err
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

func (sp *splitter) handle(line []byte) error {
	sp.st.Lines++
	if len(line) > 0 {
		switch line[0] {
		case 'D':
			if bytes.HasPrefix(line, servicePrefix) && bytes.HasSuffix(line, []byte(":")) {
				return sp.openService(line)
			}
		case '-':
			return sp.dashLine(line)
		}
	}
	if sp.pendingDashes {
		sp.pendingDashes = false
		if err := sp.emit(dashes[:79]); err != nil {
			return err
		}
	}
	return sp.emit(line)
}

var dashes = bytes.Repeat([]byte("-"), 79)

func (sp *splitter) emit(line []byte) error {
	if sp.v.Line == nil {
		return nil
	}
	return sp.v.Line(sp.current(), line)
}

var none = &Section{}

func (sp *splitter) current() *Section {
	if sp.service != nil {
		return sp.service
	}
	if sp.block != nil {
		return sp.block
	}
	return none
}

func (sp *splitter) dashLine(line []byte) error {
	if bytes.Contains(line, durationMark) {
		// "--------- 0.05s was the duration of dumpsys appops, ending at: ..."
		// or "------ 0.01s was the duration of 'SYSTEM PROPERTIES' ------".
		sp.pendingDashes = false
		if bytes.Contains(line, []byte("duration of dumpsys")) {
			return sp.closeService(true)
		}
		if err := sp.closeService(false); err != nil {
			return err
		}
		return sp.closeBlock(true)
	}
	if isAllDashes(line) && len(line) >= 40 {
		if sp.service != nil {
			if sp.pendingDashes {
				if err := sp.emit(dashes[:79]); err != nil {
					return err
				}
			}
			sp.pendingDashes = true
			return nil
		}
		return nil // separator before a header
	}
	if bytes.HasPrefix(line, blockPrefix) && bytes.HasSuffix(line, blockSuffix) && len(line) > 14 {
		return sp.openBlock(line)
	}
	if sp.pendingDashes {
		sp.pendingDashes = false
		if err := sp.emit(dashes[:79]); err != nil {
			return err
		}
	}
	return sp.emit(line)
}

func isAllDashes(b []byte) bool {
	for _, c := range b {
		if c != '-' {
			return false
		}
	}
	return true
}

func (sp *splitter) openService(line []byte) error {
	// A pending dashes line before a header just separated sections.
	ended := sp.pendingDashes
	sp.pendingDashes = false
	if sp.service != nil {
		if err := sp.closeService(ended); err != nil {
			return err
		}
	}
	rest := string(bytes.TrimSuffix(line[len(servicePrefix):], []byte(":")))
	s := &Section{Kind: Service, Line: sp.st.Lines, Parent: sp.block}
	for _, p := range []string{"CRITICAL ", "HIGH ", "NORMAL "} {
		if len(rest) > len(p) && rest[:len(p)] == p {
			s.Priority, rest = p[:len(p)-1], rest[len(p):]
			break
		}
	}
	s.Name = rest
	sp.service = s
	sp.st.Sections++
	return nil
}

func (sp *splitter) closeService(ended bool) error {
	s := sp.service
	if s == nil {
		return nil
	}
	sp.service = nil
	sp.pendingDashes = false
	s.Ended = ended
	if sp.v.End != nil {
		return sp.v.End(s)
	}
	return nil
}

func (sp *splitter) openBlock(line []byte) error {
	inner := string(line[len(blockPrefix) : len(line)-len(blockSuffix)])
	if err := sp.closeService(sp.pendingDashes); err != nil {
		return err
	}
	if err := sp.closeBlock(false); err != nil {
		return err
	}
	s := &Section{Kind: Block, Line: sp.st.Lines, Name: inner}
	// "SYSTEM PROPERTIES (getprop)": the command is in the last parentheses.
	if n := len(inner); n > 0 && inner[n-1] == ')' {
		depth := 0
		for i := n - 1; i >= 0; i-- {
			switch inner[i] {
			case ')':
				depth++
			case '(':
				depth--
			}
			if depth == 0 {
				s.Name = trimSpace(inner[:i])
				s.Command = inner[i+1 : n-1]
				break
			}
		}
	}
	sp.block = s
	sp.st.Sections++
	return nil
}

func trimSpace(s string) string { return string(bytes.TrimSpace([]byte(s))) }

func (sp *splitter) closeBlock(ended bool) error {
	s := sp.block
	if s == nil {
		return nil
	}
	sp.block = nil
	s.Ended = ended
	if sp.v.End != nil {
		return sp.v.End(s)
	}
	return nil
}

// finish closes what the end of the file left open. A service whose last
// line was a dashes separator ended normally (old dumpsys without duration
// lines); anything else open at the end was cut.
func (sp *splitter) finish() error {
	if sp.service != nil {
		if !sp.pendingDashes {
			sp.service.Truncated = true
		}
		if err := sp.closeService(sp.pendingDashes); err != nil {
			return err
		}
	}
	if sp.block != nil {
		sp.block.Truncated = true
		return sp.closeBlock(false)
	}
	return nil
}

// TruncatedError describes a section cut by the end of the file.
func TruncatedError(file string, s *Section) error {
	what := "section"
	if s.Kind == Service {
		what = "dumpsys section"
	}
	return fmt.Errorf("%s: %s %q (line %d) is cut before its end: the file is truncated", file, what, s.Name, s.Line)
}

// Within reports whether s, or a section it is nested in, is one match
// accepts: the lines a module reads for a section include those of every
// section nested in it.
func Within(s *Section, match func(*Section) bool) bool {
	for ; s != nil; s = s.Parent {
		if s.Kind != None && match(s) {
			return true
		}
	}
	return false
}

// IsService returns a matcher for the dumpsys service called name.
func IsService(name string) func(*Section) bool {
	return func(s *Section) bool { return s.Kind == Service && s.Name == name }
}

// IsBlock returns a matcher for the bugreport block titled title.
func IsBlock(title string) func(*Section) bool {
	return func(s *Section) bool { return s.Kind == Block && s.Name == title }
}
