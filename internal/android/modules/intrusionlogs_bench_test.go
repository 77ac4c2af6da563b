package modules_test

import (
	"bytes"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/intrusionlogs"
	"github.com/spyscan/spyscan/internal/modtest"
)

// realShapeLog returns n distinct events in the shape of a real export
// (testdata/androdr of internal/android/intrusionlog): DNS and connect
// events in milliseconds, security events named by their tag with named
// fields in nanoseconds, as Samsung's Android 16 export writes them.
func realShapeLog(n int) []byte {
	var b bytes.Buffer
	const t0 = 1787400345334 // ms
	for i := range n {
		ms := t0 + int64(i)*10
		switch i % 6 {
		case 0:
			fmt.Fprintf(&b, `{"dns_event":{"event_id":%d,"event_time":%d,"package_name":"com.example.app%d","hostname":"h%d.example-llm.com","ip_addresses":["/34.160.%d.%d"],"ip_addresses_count":1}}`+"\n", i, ms, i%50, i%997, i%250, i%200)
		case 1:
			fmt.Fprintf(&b, `{"connect_event":{"event_id":%d,"event_time":%d,"package_name":"com.example.app%d","port":443,"ip_address":"/34.160.%d.%d"}}`+"\n", i, ms, i%50, i%250, i%200)
		case 2:
			fmt.Fprintf(&b, `{"security_event":{"event_id":%d,"event_time":%d000000,"app_process_start":{"process":"com.example.app%d:sandboxed_process0","start_time":%d,"uid":99219,"pid":%d,"seinfo":"platform:targetSdkVersion=36:complete","sha256":"Failed to count APK hash"}}}`+"\n", i, ms, i%50, ms, i%30000)
		case 3:
			fmt.Fprintf(&b, `{"security_event":{"event_id":%d,"event_time":%d000000,"package_updated":{"package":"com.example.app%d","version":%d,"uid":99219}}}`+"\n", i, ms, i%50, i)
		case 4:
			fmt.Fprintf(&b, `{"security_event":{"event_id":%d,"event_time":%d000000,"user_restriction_added":{"package":"NULL","admin_user":0,"restriction":"no_cellular_2g"}}}`+"\n", i, ms)
		default:
			fmt.Fprintf(&b, `{"security_event":{"event_id":%d,"event_time":%d000000,"key_generated":{"success":1,"key_id":"k%d","uid":10042}}}`+"\n", i, ms, i)
		}
	}
	return b.Bytes()
}

// BenchmarkRealShape runs the module over 60,000 events in the shape of a
// real export, with the embedded indicators.
func BenchmarkRealShape(b *testing.B) {
	fsys := fstest.MapFS{"2026-08-22.txt": {Data: realShapeLog(60_000)}}
	modtest.Bench(b, intrusionlogs.New(), acquisition.AndroidIntrusionLogs, fsys)
}
