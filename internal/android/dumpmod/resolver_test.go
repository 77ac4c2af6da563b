package dumpmod_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
)

// The resolver table keeps each receiver under its own action, also when
// dumpstate prints an action header at the wrong indentation (MVT #852 saw
// 15 spaces instead of 6: the receivers below it were filed under the
// previous action, or dropped when it came first).
func TestResolverActions(t *testing.T) {
	const sms = "android.provider.Telephony.SMS_RECEIVED"
	const replaced = "android.intent.action.MY_PACKAGE_REPLACED"
	cases := []struct {
		name  string
		table string
		want  []dumpmod.ResolverEntry
	}{
		{"indented as usual", `
      ` + sms + `:
        5c1d2a0 com.example.spy/.SmsReceiver filter 9f0e1b2
      ` + replaced + `:
        e7706c1 com.example.game/.BootReceiver filter 1a2b3c4
`, []dumpmod.ResolverEntry{
			{Intent: sms, PackageName: "com.example.spy", Component: "com.example.spy/.SmsReceiver"},
			{Intent: replaced, PackageName: "com.example.game", Component: "com.example.game/.BootReceiver"},
		}},
		{"first action mis-indented", `
               ` + replaced + `:
        e7706c1 com.example.game/.BootReceiver
`, []dumpmod.ResolverEntry{
			{Intent: replaced, PackageName: "com.example.game", Component: "com.example.game/.BootReceiver"},
		}},
		{"later action mis-indented", `
      ` + replaced + `:
        e7706c1 com.example.game/.BootReceiver filter 1a2b3c4
               ` + sms + `:
        5c1d2a0 com.example.spy/.SmsReceiver filter 9f0e1b2
          (2 filters)
`, []dumpmod.ResolverEntry{
			{Intent: replaced, PackageName: "com.example.game", Component: "com.example.game/.BootReceiver"},
			{Intent: sms, PackageName: "com.example.spy", Component: "com.example.spy/.SmsReceiver"},
		}},
		{"receivers before any action", `
        5c1d2a0 com.example.spy/.SmsReceiver filter 9f0e1b2
      ` + sms + `:
        e7706c1 com.example.game/.SmsReceiver
`, []dumpmod.ResolverEntry{
			{Intent: sms, PackageName: "com.example.game", Component: "com.example.game/.SmsReceiver"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &dumpmod.Resolver{Title: "Receiver Resolver Table:"}
			text := "Receiver Resolver Table:\n  Non-Data Actions:" + c.table + "\nKey Set Manager:\n"
			for _, line := range strings.Split(text, "\n") {
				r.Line(line)
			}
			if !reflect.DeepEqual(r.Entries, c.want) {
				t.Errorf("entries\n got %+v\nwant %+v", r.Entries, c.want)
			}
		})
	}
}
