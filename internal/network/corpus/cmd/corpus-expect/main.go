// Command corpus-expect writes the differential suite's expected file: for
// every capture under -captures it runs tshark and keeps the values the suite
// compares (DNS query names, TLS/QUIC SNI, JA3 over TCP, HTTP Host, SHA-1 of
// the certificates servers sent), and it adds the JA4 values FoxIO published
// (the -ja4 file). Run it through regen.sh, which checks that tshark is
// installed.
//
// How tshark's output is read (the same scope as spyscan's records):
//   - frames inside ICMP errors are ignored (a quoted query is not a query),
//     and so is SSDP (HTTP over UDP multicast: its Host is the group);
//   - decryption secrets embedded in a pcapng are removed first: the suite
//     compares what is visible without keys, as spyscan does not decrypt
//     TLS;
//   - DNS (mDNS and LLMNR included): names of the questions of every
//     message (every opcode, both directions), and the owner names of the
//     answers of a response without a question (mDNS announcements); PTR
//     and .arpa names excluded;
//   - JA3: ClientHellos of frames that are not QUIC;
//   - certificates: every certificate of a Certificate message not sent by
//     the TCP port that sent the connection's ClientHello (so client
//     certificates are left out).
package main

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/spyscan/spyscan/internal/network/corpus"
)

func main() {
	captures := flag.String("captures", "testdata/captures", "folder of the suite's captures")
	ja4 := flag.String("ja4", "testdata/foxio-ja4.tsv", "FoxIO's published JA4 values (capture, JA4)")
	out := flag.String("o", "testdata/expected.json", "expected file to write")
	jobs := flag.Int("j", 2, "tshark processes at once")
	flag.Parse()
	if err := run(context.Background(), *captures, *ja4, *out, *jobs); err != nil {
		fmt.Fprintln(os.Stderr, "corpus-expect:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir, ja4File, out string, jobs int) error {
	version, err := exec.CommandContext(ctx, "tshark", "--version").Output()
	if err != nil {
		return fmt.Errorf("tshark: %w", err)
	}
	first, _, _ := strings.Cut(string(version), "\n")
	first, _, _ = strings.Cut(first, ".Running")
	var names []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		names = append(names, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		return err
	}
	slices.Sort(names)
	exp := &corpus.Expected{Reference: []string{first}, Captures: map[string]corpus.Values{}}
	var mu sync.Mutex
	sem := make(chan struct{}, max(jobs, 1))
	var wg sync.WaitGroup
	var firstErr error
	for _, n := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			vs, err := tshark(ctx, filepath.Join(dir, filepath.FromSlash(n)))
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", n, err)
			}
			exp.Captures[n] = vs
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	refs, err := addJA4(exp, ja4File)
	if err != nil {
		return err
	}
	exp.Reference = append(exp.Reference, refs...)
	return corpus.WriteExpected(out, exp)
}

// frame is one packet of tshark's JSON output (-T json -e ...).
type frame struct {
	Source struct {
		Layers map[string][]string `json:"layers"`
	} `json:"_source"`
}

var fields = []string{"frame.protocols", "tcp.stream", "tcp.srcport",
	"dns.qry.name", "dns.qry.type", "dns.flags.response", "dns.count.queries", "dns.count.answers", "dns.resp.name", "dns.resp.type",
	"tls.handshake.type", "tls.handshake.extensions_server_name", "tls.handshake.ja3",
	"tls.handshake.certificate", "http.host"}

// http.notification: tshark marks a NOTIFY request (UPnP's GENA) so, not
// as http.request, though it reads its Host the same.
const filter = "(dns || mdns || llmnr || tls.handshake || http.request || http.notification) && !icmp && !icmpv6 && !ssdp"

// tshark reads one capture. tshark exits non-zero on a truncated capture
// after printing what it read: that output is kept (spyscan reads up to the
// cut too), and only a run that printed nothing usable is an error.
func tshark(ctx context.Context, path string) (corpus.Values, error) {
	path, cleanup, err := withoutSecrets(path)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	args := []string{"-r", path, "-n", "-T", "json", "-Y", filter}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	cmd := exec.CommandContext(ctx, "tshark", args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	vs := corpus.Values{}
	for _, f := range []corpus.Field{corpus.DNS, corpus.SNI, corpus.JA3, corpus.Host, corpus.Cert} {
		vs[f] = []string{}
	}
	n, decErr := decode(bufio.NewReader(stdout), vs)
	waitErr := cmd.Wait()
	if decErr != nil {
		return nil, fmt.Errorf("reading tshark output: %w (%s)", decErr, strings.TrimSpace(stderr.String()))
	}
	if waitErr != nil {
		slog.Warn("tshark reported a problem; its output up to there is kept",
			"capture", path, "frames", n, "stderr", strings.TrimSpace(stderr.String()))
	}
	vs.Sort()
	return vs, nil
}

// withoutSecrets returns a copy of a pcapng capture without its Decryption
// Secrets Blocks, or the capture itself when it has none (or is not
// pcapng). editcap --discard-all-secrets refuses some files (a secrets
// block before the first interface), hence this small block walk.
func withoutSecrets(path string) (string, func(), error) {
	nothing := func() {}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", nothing, err
	}
	kept, ok := stripSecrets(b)
	if !ok {
		return path, nothing, nil
	}
	tmp, err := os.CreateTemp("", "corpus-*.pcapng")
	if err != nil {
		return "", nothing, err
	}
	cleanup := func() { os.Remove(tmp.Name()) }
	_, err = tmp.Write(kept)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return "", nothing, err
	}
	return tmp.Name(), cleanup, nil
}

// stripSecrets drops the pcapng blocks of type 0x0000000A (Decryption
// Secrets Block); ok is false when b is not pcapng or has none. Each
// Section Header Block sets the byte order of its section.
func stripSecrets(b []byte) (kept []byte, ok bool) {
	const shb, dsb = 0x0a0d0d0a, 0x0000000a
	var order binary.ByteOrder = binary.LittleEndian
	if len(b) < 12 || binary.LittleEndian.Uint32(b) != shb {
		return nil, false
	}
	out := make([]byte, 0, len(b))
	for len(b) >= 12 {
		if binary.LittleEndian.Uint32(b) == shb {
			order = binary.LittleEndian
			if binary.BigEndian.Uint32(b[8:]) == 0x1a2b3c4d {
				order = binary.BigEndian
			}
		}
		typ, n := order.Uint32(b), int(order.Uint32(b[4:]))
		if n < 12 || n > len(b) {
			break // damaged: keep the rest as it is
		}
		if typ == dsb {
			ok = true
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return append(out, b...), ok
}

// decode reads tshark's JSON array frame by frame into vs.
func decode(r io.Reader, vs corpus.Values) (int, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return 0, nil // no frame matched
	}
	if err != nil {
		return 0, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return 0, fmt.Errorf("unexpected %v", tok)
	}
	clientPort := map[string]string{} // tcp.stream -> port that sent the ClientHello
	n := 0
	for dec.More() {
		var fr frame
		if err := dec.Decode(&fr); err != nil {
			return n, err
		}
		n++
		addFrame(fr.Source.Layers, vs, clientPort)
	}
	return n, nil
}

func addFrame(l map[string][]string, vs corpus.Values, clientPort map[string]string) {
	protos := ":" + first(l["frame.protocols"]) + ":"
	stream, port := first(l["tcp.stream"]), first(l["tcp.srcport"])
	types := l["dns.qry.type"]
	for i, name := range l["dns.qry.name"] {
		if i < len(types) && types[i] == "12" {
			continue
		}
		vs.Add(corpus.DNS, name)
	}
	if slices.Contains(l["dns.count.queries"], "0") && slices.Contains(l["dns.flags.response"], "1") {
		// a response without a question (an mDNS announcement): its
		// records' owner names, reverse-lookup names left out
		// (the answer section only: dns.resp.name lists the authority and
		// additional records after the answers)
		rtypes, names := l["dns.resp.type"], l["dns.resp.name"]
		if n, err := strconv.Atoi(first(l["dns.count.answers"])); err == nil && n < len(names) {
			names = names[:n]
		}
		for i, name := range names {
			if i < len(rtypes) && rtypes[i] == "12" || strings.HasSuffix(strings.TrimSuffix(name, "."), ".arpa") {
				continue
			}
			vs.Add(corpus.DNS, name)
		}
	}
	for _, v := range l["tls.handshake.extensions_server_name"] {
		vs.Add(corpus.SNI, v)
	}
	if !strings.Contains(protos, ":quic:") {
		for _, v := range l["tls.handshake.ja3"] {
			vs.Add(corpus.JA3, v)
		}
	}
	if stream != "" && slices.Contains(l["tls.handshake.type"], "1") {
		clientPort[stream] = port
	}
	if certs := l["tls.handshake.certificate"]; len(certs) > 0 {
		if cp, ok := clientPort[stream]; !ok || cp != port {
			for _, c := range certs {
				der, err := hex.DecodeString(strings.ReplaceAll(c, ":", ""))
				if err != nil {
					continue
				}
				sum := sha1.Sum(der)
				vs.Add(corpus.Cert, hex.EncodeToString(sum[:]))
			}
		}
	}
	for _, v := range l["http.host"] {
		vs.Add(corpus.Host, v)
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// addJA4 adds FoxIO's JA4 values: lines "capture<TAB>ja4" (an empty JA4
// means FoxIO's output for that capture has none); lines starting with '#'
// name the source and are returned as references.
func addJA4(exp *corpus.Expected, path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var refs []string
	for i, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if ref := strings.TrimSpace(strings.TrimPrefix(line, "#")); strings.HasPrefix(ref, "source:") {
				refs = append(refs, strings.TrimSpace(strings.TrimPrefix(ref, "source:")))
			}
			continue
		}
		name, v, ok := strings.Cut(line, "\t")
		vs := exp.Captures[name]
		if !ok || vs == nil {
			return nil, fmt.Errorf("%s:%d: %q is not a capture of the suite", path, i+1, name)
		}
		if vs[corpus.JA4] == nil {
			vs[corpus.JA4] = []string{}
		}
		vs.Add(corpus.JA4, v)
	}
	for _, vs := range exp.Captures {
		vs.Sort()
	}
	return refs, nil
}
