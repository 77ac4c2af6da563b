//go:build !linux

package scan

import (
	"io"
	"os"
)

// openFile opens a file to hash it.
func openFile(p string) (io.ReadCloser, error) { return os.Open(p) }
