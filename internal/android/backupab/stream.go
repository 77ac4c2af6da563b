package backupab

import (
	"bufio"
	"compress/zlib"
	"errors"
	"fmt"
	"io"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// PasswordFunc returns the backup password; it is called only for an
// encrypted backup. It returns acquisition.ErrNeedPassword when there is no
// password source.
type PasswordFunc func() (string, error)

// Payload opens the tar stream of a backup read from r. keys, when not nil,
// are reused (no key derivation); otherwise they are derived with password
// and returned for later re-reads.
func Payload(r io.Reader, password PasswordFunc, keys *Keys) (io.Reader, *Header, *Keys, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	h, err := ReadHeader(br)
	if err != nil {
		return nil, nil, nil, err
	}
	var body io.Reader = br
	if h.Encrypted() {
		if keys == nil {
			if password == nil {
				return nil, h, nil, acquisition.ErrNeedPassword
			}
			pw, err := password()
			if err != nil {
				return nil, h, nil, err
			}
			if pw == "" {
				return nil, h, nil, acquisition.ErrNeedPassword
			}
			if keys, err = h.Unlock(pw); err != nil {
				return nil, h, nil, err
			}
		}
		cr, err := newCBCReader(br, keys.MasterKey, keys.IV)
		if err != nil {
			return nil, h, nil, err
		}
		body = cr
	}
	if h.Compressed {
		zr, err := zlib.NewReader(body)
		if err != nil {
			if errors.Is(err, acquisition.ErrCorrupt) {
				return nil, h, nil, err
			}
			return nil, h, nil, fmt.Errorf("%w: compressed payload: %w", acquisition.ErrCorrupt, err)
		}
		body = zr
	}
	return body, h, keys, nil
}
