// Command readhash measures the floor of a capture scan's input read: the
// file read in buffers of a given size into SHA-256 (what the capture pass
// does for the chain of custody), the same reads without the hash, or the
// file mapped into memory and hashed (unix only), to compare system time:
//
//	GOMAXPROCS=1 /usr/bin/time -f '%U %S' go run ./bench/readhash -buf 1048576 FILE
//	... readhash -nohash -buf 262144 FILE
//	... readhash -mmap FILE
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	buf := flag.Int("buf", 1<<20, "read buffer size in bytes")
	nohash := flag.Bool("nohash", false, "read only, do not hash")
	mapped := flag.Bool("mmap", false, "map the file and hash it (unix)")
	flag.Parse()
	if flag.NArg() != 1 || *buf <= 0 {
		fmt.Fprintln(os.Stderr, "usage: readhash [-buf N] [-nohash] [-mmap] FILE")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "readhash:", err)
		os.Exit(1)
	}
	defer f.Close()
	h := sha256.New()
	switch {
	case *mapped:
		err = hashMapped(f, h)
	case *nohash:
		b := make([]byte, *buf)
		for err == nil {
			_, err = f.Read(b)
		}
		if err == io.EOF {
			err = nil
		}
	default:
		_, err = io.CopyBuffer(h, struct{ io.Reader }{f}, make([]byte, *buf))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "readhash:", err)
		os.Exit(1)
	}
	fmt.Printf("%x\n", h.Sum(nil))
}
