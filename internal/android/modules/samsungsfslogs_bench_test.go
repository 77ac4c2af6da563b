package modules_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/samsungsfslogs"
	"github.com/spyscan/spyscan/internal/modtest"
)

// BenchmarkSamsungSFSLogsRun reads one sfslog of 200,000 lines, a quarter of them events
// (a real log is mostly other tags).
func BenchmarkSamsungSFSLogsRun(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 50_000; i++ {
		fmt.Fprintf(&sb, "24-05-19 (GMT+02:00) 03:%02d:%02d.%03d 1498 I ActivityManager: Start proc %d:com.example.app/u0a%d for service\n", i/60%60, i%60, i%1000, i, i%500)
		fmt.Fprintf(&sb, "24-05-19 (GMT+02:00) 03:%02d:%02d.%03d 1498 D PowerManagerService: acquire lock=%d, flags=0x1\n", i/60%60, i%60, i%1000, i)
		fmt.Fprintf(&sb, "24-05-19 (GMT+02:00) 03:%02d:%02d.%03d 1498 W Binder: slow call %d ms\n", i/60%60, i%60, i%1000, i%300)
		fmt.Fprintf(&sb, "24-05-19 (GMT+02:00) 03:%02d:%02d.%03d 1498 V UsbDeviceManager: USB UEVENT: {SUBSYSTEM=android_usb, SEQNUM=%d, ACTION=change, USB_STATE=CONFIGURED, DEVPATH=/devices/virtual/android_usb/android0}\n", i/60%60, i%60, i%1000, i)
	}
	fsys := modtest.FS(map[string][]byte{"logs/data/log/sfslog.0.gz": gzipped(sb.String())})
	b.SetBytes(int64(sb.Len()))
	modtest.Bench(b, samsungsfslogs.New(), acquisition.AndroidQF, fsys)
}
