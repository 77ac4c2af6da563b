package scan

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// openFile opens a regular file to hash it as a bare descriptor: os.Open
// would also try to register it with the runtime's poller, which a regular
// file refuses: five more system calls per file (four fcntl and an
// epoll_ctl), for each of an iOS backup's 100,000 small files. Its
// modification time comes from the descriptor (fstat), not from a second
// look-up of the path.
func openFile(p string) (io.ReadCloser, error) {
	for {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: p, Err: err}
		}
		return &fdFile{fd: fd, name: p}, nil
	}
}

// fdFile reads a file descriptor; its errors are those os.File gives
// (*fs.PathError naming the file).
type fdFile struct {
	fd   int
	name string
}

// maxRead bounds one read call (Linux reads at most ~2 GiB at once).
const maxRead = 1 << 30

func (f *fdFile) Read(b []byte) (int, error) {
	if f.fd < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: os.ErrClosed}
	}
	if len(b) == 0 {
		return 0, nil
	}
	if len(b) > maxRead {
		b = b[:maxRead]
	}
	for {
		n, err := syscall.Read(f.fd, b)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		}
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *fdFile) Close() error {
	if f.fd < 0 {
		return &fs.PathError{Op: "close", Path: f.name, Err: os.ErrClosed}
	}
	err := syscall.Close(f.fd)
	f.fd = -1
	if err != nil {
		return &fs.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

// Seek sets the offset of the next Read (finishDigest skips what the
// modules' read already hashed).
func (f *fdFile) Seek(offset int64, whence int) (int64, error) {
	if f.fd < 0 {
		return 0, &fs.PathError{Op: "seek", Path: f.name, Err: os.ErrClosed}
	}
	off, err := syscall.Seek(f.fd, offset, whence)
	if err != nil {
		return 0, &fs.PathError{Op: "seek", Path: f.name, Err: err}
	}
	return off, nil
}

// modTime is the file's modification time (fstat), the zero time when it
// cannot be read (the caller then looks the path up).
func (f *fdFile) modTime() time.Time {
	var st syscall.Stat_t
	if f.fd < 0 || syscall.Fstat(f.fd, &st) != nil {
		return time.Time{}
	}
	return time.Unix(st.Mtim.Unix())
}
