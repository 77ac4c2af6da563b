package hostile

import (
	"context"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// Big returns the large hostile inputs (up to about 100 MB on disk) that
// bench/hostile.sh times: too slow to generate and scan in CI, each must
// finish within 30 s and 512 MB of memory on a 2-core machine. Names are
// folder names; Build writes the input in that folder.
func Big() []Case {
	ids := iosgen.File{Domain: "HomeDomain", RelativePath: "Library/Preferences/com.apple.identityservices.idstatuscache.plist",
		Path: "private/var/mobile/Library/Preferences/com.apple.identityservices.idstatuscache.plist"}
	withData := func(f iosgen.File, b func() []byte) builder {
		return func(dir string) ([]string, string) {
			g := f
			g.Data = b()
			p := filepath.Join(dir, "backup")
			check(iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: []iosgen.File{g}}))
			return []string{p}, p
		}
	}
	sms := iosdata.SMS(0)[0]
	return []Case{
		// under iosmod.MaxPlist (64 MiB): the depth check reads them all
		{Name: "xml-plist-60MB-deep", build: withData(ids, func() []byte { return DeepXMLPlist(4_000_000, "array") })},
		{Name: "binary-plist-58MB-deep", build: withData(ids, func() []byte { return DeepBinaryPlist(6_500_000) })},
		{Name: "openstep-plist-60MB-deep", build: withData(ids, func() []byte { return DeepTextPlist(30_000_000, '(') })},
		// over it: refused by size before any parsing
		{Name: "xml-plist-100MB-deep", build: withData(ids, func() []byte { return DeepXMLPlist(7_000_000, "array") })},
		{Name: "binary-plist-bomb", build: withData(ids, func() []byte { return iosdata.PlistBomb(60, false) })},
		{Name: "sms-endless-views", build: withData(sms, func() []byte { return EndlessViews(sms.Data) })},
		{Name: "dump-tar.gz-4GiB-of-zeros", build: fileOf("dump.tar.gz", DumpTarGzBomb(4<<30))},
		{Name: "zip-bomb", build: fileOf("bugreport.zip", zipBomb())},
		{Name: "eve-100MB-line", build: fileOf("eve.json", eveLong(100<<20))},
		{Name: "eve-100MB-nested", build: fileOf("eve.json", eveNested(50<<20))},
		{Name: "zeek-100MB-line", build: fileOf("dns.log", zeekLong(100<<20))},
		{Name: "androidqf-100MB-nested-json", build: androidqfWith("packages.json", deep(50<<20))},
		{Name: "pcap-100MB-of-garbage", build: fileOf("capture.pcap", append(GarbagePcap()[:24], RandomBytes(9, 100<<20)...))},
	}
}
