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
			{Category: dumpmod.NonDataAction, Intent: sms, PackageName: "com.example.spy", Component: "com.example.spy/.SmsReceiver"},
			{Category: dumpmod.NonDataAction, Intent: replaced, PackageName: "com.example.game", Component: "com.example.game/.BootReceiver"},
		}},
		{"first action mis-indented", `
               ` + replaced + `:
        e7706c1 com.example.game/.BootReceiver
`, []dumpmod.ResolverEntry{
			{Category: dumpmod.NonDataAction, Intent: replaced, PackageName: "com.example.game", Component: "com.example.game/.BootReceiver"},
		}},
		{"later action mis-indented", `
      ` + replaced + `:
        e7706c1 com.example.game/.BootReceiver filter 1a2b3c4
               ` + sms + `:
        5c1d2a0 com.example.spy/.SmsReceiver filter 9f0e1b2
          (2 filters)
`, []dumpmod.ResolverEntry{
			{Category: dumpmod.NonDataAction, Intent: replaced, PackageName: "com.example.game", Component: "com.example.game/.BootReceiver"},
			{Category: dumpmod.NonDataAction, Intent: sms, PackageName: "com.example.spy", Component: "com.example.spy/.SmsReceiver"},
		}},
		{"receivers before any action", `
        5c1d2a0 com.example.spy/.SmsReceiver filter 9f0e1b2
      ` + sms + `:
        e7706c1 com.example.game/.SmsReceiver
`, []dumpmod.ResolverEntry{
			{Category: dumpmod.NonDataAction, Intent: sms, PackageName: "com.example.game", Component: "com.example.game/.SmsReceiver"},
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

// Every category of a resolver table is read, as dumpsys package prints
// them (IntentResolver.dump: one header per category at two spaces, keys
// at six, components at eight, categories parted by empty lines): an app
// registered only for a MIME type or a scheme is listed nowhere else in the
// table. The table ends at the next line that is not indented.
func TestResolverCategories(t *testing.T) {
	const table = `Activity Resolver Table:
  Full MIME Types:
      image/jpeg:
        3f1a2b4 com.example.gallery/.ViewActivity
        9c8d7e6 com.example.spy/.ImportActivity (2 filters)

  Base MIME Types:
      image:
        3f1a2b4 com.example.gallery/.ViewActivity

  Wild MIME Types:
      */*:
        a1b2c3d com.example.files/.Pick

  Schemes:
      smsto:
        0d1e2f3 com.example.spy/.ComposeActivity
      https:
        4a5b6c7 com.example.browser/.Main filter 7d8e9f0

  Non-Data Actions:
      android.intent.action.MAIN:
        5b3a1f0 com.example.launcher/.Home

  MIME Typed Actions:
      android.intent.action.SEND:
        6c7d8e9 com.example.spy/.ShareTarget

  Extra Category:
      some.key:
        1a2b3c4 com.example.future/.Thing

Receiver Resolver Table:
  Non-Data Actions:
      android.intent.action.BOOT_COMPLETED:
        d5c0372 com.example.other/.Boot
`
	want := []dumpmod.ResolverEntry{
		{"full_mime_type", "image/jpeg", "com.example.gallery", "com.example.gallery/.ViewActivity"},
		{"full_mime_type", "image/jpeg", "com.example.spy", "com.example.spy/.ImportActivity"},
		{"base_mime_type", "image", "com.example.gallery", "com.example.gallery/.ViewActivity"},
		{"wild_mime_type", "*/*", "com.example.files", "com.example.files/.Pick"},
		{"scheme", "smsto", "com.example.spy", "com.example.spy/.ComposeActivity"},
		{"scheme", "https", "com.example.browser", "com.example.browser/.Main"},
		{dumpmod.NonDataAction, "android.intent.action.MAIN", "com.example.launcher", "com.example.launcher/.Home"},
		{dumpmod.MIMETypedAction, "android.intent.action.SEND", "com.example.spy", "com.example.spy/.ShareTarget"},
		{"extra_category", "some.key", "com.example.future", "com.example.future/.Thing"},
	}
	r := &dumpmod.Resolver{Title: "Activity Resolver Table:"}
	for _, line := range strings.Split(table, "\n") {
		r.Line(line)
	}
	if !reflect.DeepEqual(r.Entries, want) {
		t.Errorf("entries\n got %+v\nwant %+v", r.Entries, want)
	}
	for cat, action := range map[string]bool{dumpmod.NonDataAction: true, dumpmod.MIMETypedAction: true, "scheme": false, "full_mime_type": false} {
		if dumpmod.IsAction(cat) != action {
			t.Errorf("IsAction(%q) = %v", cat, !action)
		}
	}
}
