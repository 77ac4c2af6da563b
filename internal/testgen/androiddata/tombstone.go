package androiddata

import (
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// TombstoneText is a text tombstone of a crash in a process running as
// shell (uid 2000): adbd.
func TombstoneText() []byte {
	return []byte(strings.Join([]string{
		"*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***",
		"Build fingerprint: 'google/oriole/oriole:14/UP1A.231005.007/10754064:user/release-keys'",
		"Revision: 'MP1.0'",
		"ABI: 'arm64'",
		"Timestamp: 2024-05-19 22:10:01.518290770+0200",
		"Process uptime: 12s",
		"Cmdline: /apex/com.android.adbd/bin/adbd --root_seclabel=u:r:su:s0",
		"pid: 9850, tid: 9893, name: UsbFfs-worker  >>> /apex/com.android.adbd/bin/adbd <<<",
		"uid: 2000",
		"signal 6 (SIGABRT), code -1 (SI_QUEUE), fault addr --------",
		"Abort message: 'Check failed: payload.size() <= bytes_left'",
		"    x0  0000000000000000  x1  00000000000026a5  x2  0000000000000006",
		"",
		"backtrace:",
		"      #00 pc 00000000000603ca  /apex/com.android.runtime/lib64/bionic/libc.so (abort+166)",
		"",
		"--- --- --- --- --- --- --- --- --- --- --- --- --- --- --- ---",
		"pid: 9850, tid: 9851, name: adbd  >>> /apex/com.android.adbd/bin/adbd <<<",
		"uid: 2000",
		"",
	}, "\n"))
}

// pb appends protobuf fields with protowire: enough for tombstone.proto.
type pb []byte

func (b pb) uint(field protowire.Number, v uint64) pb {
	return protowire.AppendVarint(protowire.AppendTag(b, field, protowire.VarintType), v)
}

func (b pb) bytes(field protowire.Number, v []byte) pb {
	return protowire.AppendBytes(protowire.AppendTag(b, field, protowire.BytesType), v)
}

func (b pb) str(field protowire.Number, s string) pb { return b.bytes(field, []byte(s)) }

// TombstoneProto is a protobuf tombstone (AOSP tombstone.proto) of a crash
// in a process named like the stalkerware app, running as root, with two
// probable causes (as Scudo/MTE report them) and fields this reader skips
// (page size, kernel release, an OEM field of the reserved-for-OEMs range).
func TombstoneProto() []byte {
	sig := pb(nil).uint(1, 11).str(2, "SIGSEGV").uint(3, 1).str(4, "SEGV_MAPERR").uint(8, 1).uint(9, 0xdead)
	thread := pb(nil).uint(1, 4243).str(2, StalkerAppID+":daemon")
	threadEntry := pb(nil).uint(1, 4243).bytes(2, thread)
	other := pb(nil).uint(1, 4242).str(2, "main")
	otherEntry := pb(nil).uint(1, 4242).bytes(2, other)
	cause := pb(nil).str(1, "null pointer dereference")
	heap := pb(nil).uint(1, 0x7da0af00d0).uint(2, 2856).uint(3, 4243)
	memErr := pb(nil).uint(1, 1).uint(2, 4).bytes(3, heap) // SCUDO, BUFFER_OVERFLOW
	cause2 := pb(nil).str(1, "[MTE]: Buffer Overflow, 8 bytes right of a 2856-byte allocation at 0x7da0af00d0").bytes(2, memErr)
	t := pb(nil).
		uint(1, 1). // ARM64
		str(2, "google/oriole/oriole:14/UP1A.231005.007/10754064:user/release-keys").
		str(3, "MP1.0").
		str(4, "2024-05-19 23:41:07.000123456+0200").
		uint(5, 4242).uint(6, 4243).uint(7, 0).
		str(8, "u:r:su:s0\x00").
		str(9, "/data/local/tmp/"+StalkerAppID+"-daemon").str(9, "--silent").
		bytes(10, sig).
		str(14, "").
		bytes(15, cause).
		bytes(15, cause2).
		bytes(16, otherEntry).
		bytes(16, threadEntry).
		uint(20, 3600).
		uint(22, 4096).
		str(27, "/data/local/tmp/"+StalkerAppID+"-daemon").
		str(28, "6.1.75-android14-11").
		str(1001, "oem field")
	return t
}
