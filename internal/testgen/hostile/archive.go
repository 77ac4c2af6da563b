package hostile

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
	"io/fs"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// dumpFiles are the files of a small iOS filesystem dump with planted hits
// (the demo backup's files and sms.db).
func dumpFiles() []iosgen.File {
	files := append(iosgen.DemoBackupFiles(), iosdata.SMS(20)...)
	out := files[:0]
	for _, f := range files {
		if f.Path != "" {
			out = append(out, f)
		}
	}
	return out
}

// SMSPath is sms.db's path in a dump.
const SMSPath = "private/var/mobile/Library/SMS/sms.db"

var modTime = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

// DumpTarSpecial returns an iOS dump .tar whose sms.db is an entry of type
// typ (tar.TypeChar, tar.TypeBlock, tar.TypeFifo...) instead of a file; with
// gz set, gzipped.
func DumpTarSpecial(typ byte, gz bool) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range dumpFiles() {
		h := &tar.Header{Name: f.Path, Mode: 0o644, ModTime: modTime, Typeflag: tar.TypeReg, Size: int64(len(f.Data))}
		if f.Path == SMSPath {
			h.Typeflag, h.Size, h.Devmajor, h.Devminor = typ, 0, 1, 3
		}
		must(tw.WriteHeader(h))
		if h.Typeflag == tar.TypeReg {
			_, err := tw.Write(f.Data)
			must(err)
		}
	}
	must(tw.Close())
	if !gz {
		return b.Bytes()
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, err := zw.Write(b.Bytes())
	must(err)
	must(zw.Close())
	return z.Bytes()
}

// DumpZipSpecial returns an iOS dump .zip whose sms.db entry has the file
// type mode (fs.ModeNamedPipe, fs.ModeDevice|fs.ModeCharDevice...) and the
// database as its content.
func DumpZipSpecial(mode fs.FileMode) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range dumpFiles() {
		h := &zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: modTime}
		h.SetMode(0o644)
		if f.Path == SMSPath {
			h.SetMode(mode | 0o644)
		}
		w, err := zw.CreateHeader(h)
		must(err)
		_, err = w.Write(f.Data)
		must(err)
	}
	must(zw.Close())
	return b.Bytes()
}

// DumpZipNamed returns an iOS dump .zip with one more entry named name
// (for names holding NUL, "..", absolute paths...).
func DumpZipNamed(name string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	add := func(n string, data []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store, Modified: modTime})
		must(err)
		_, err = w.Write(data)
		must(err)
	}
	for _, f := range dumpFiles() {
		add(f.Path, f.Data)
	}
	add(name, []byte("x"))
	must(zw.Close())
	return b.Bytes()
}

func must(err error) {
	if err != nil {
		panic(err) // generators write to memory
	}
}

// DumpTarGzBomb returns an iOS dump .tar.gz holding the small dump and a
// file of zeros of size bytes: about a thousandth of its size (984 times
// smaller at 300 MiB; the 4 MB dump inflating 4 GiB, scaled down).
//
// Everything after the zeros file's header is zeros (the file, its padding
// to a 512-byte record and the archive's two closing records), and once the
// compressor's 32 KiB window holds only zeros, a MiB of zeros compresses to
// the same block every time. So that block is compressed once and repeated:
// a bomb costs its CRC, not the deflate of every byte (300 MiB took about
// 1.4 CPU-s that way, in each test that built one).
func DumpTarGzBomb(size int64) []byte {
	var head bytes.Buffer
	tw := tar.NewWriter(&head)
	for _, f := range dumpFiles() {
		must(tw.WriteHeader(&tar.Header{Name: f.Path, Mode: 0o644, ModTime: modTime, Typeflag: tar.TypeReg, Size: int64(len(f.Data))}))
		_, err := tw.Write(f.Data)
		must(err)
	}
	must(tw.WriteHeader(&tar.Header{Name: "private/var/mobile/Library/Caches/zeros.bin", Mode: 0o644, ModTime: modTime, Typeflag: tar.TypeReg, Size: size}))
	zeros := size + (512-size%512)%512 + 2*512 // the file, its padding, the closing records

	var z bytes.Buffer
	// gzip's header as compress/gzip writes it at BestCompression: no name,
	// no time, XFL 2, OS unknown.
	z.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255})
	zw, err := flate.NewWriter(&z, flate.BestCompression)
	must(err)
	_, err = zw.Write(head.Bytes())
	must(err)
	const window, chunk = 32 << 10, 1 << 20
	zero := make([]byte, chunk)
	lead := min(zeros, 2*window)
	_, err = zw.Write(zero[:lead])
	must(err)
	must(zw.Flush()) // ends on a byte boundary; no block is final
	left := zeros - lead
	if left >= chunk {
		var block bytes.Buffer
		bw, err := flate.NewWriterDict(&block, flate.BestCompression, zero[:window])
		must(err)
		_, err = bw.Write(zero)
		must(err)
		must(bw.Flush())
		for ; left >= chunk; left -= chunk {
			z.Write(block.Bytes())
		}
	}
	tail, err := flate.NewWriterDict(&z, flate.BestCompression, zero[:window])
	must(err)
	_, err = tail.Write(zero[:left])
	must(err)
	must(tail.Close())
	crc := crc32.ChecksumIEEE(head.Bytes())
	for n := zeros; n > 0; n -= chunk {
		crc = crc32.Update(crc, crc32.IEEETable, zero[:min(n, chunk)])
	}
	z.Write(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, crc), uint32(int64(head.Len())+zeros)))
	return z.Bytes()
}
