package iosdata

import (
	"fmt"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// App is one installed app of the Applications fixture.
type App struct {
	BundleID, Name, Artist, Version, Source, Purchased string
}

// Apps are the apps of the fixture: ordinary App Store apps, a planted
// Pegasus process name used as a bundle id, its clean look-alike, a
// side-loaded app and an entry without a bundle id.
var Apps = []App{
	{"net.whatsapp.WhatsApp", "WhatsApp Messenger", "WhatsApp Inc.", "2.21.140", "com.apple.AppStore", "2021-03-04T18:22:05Z"},
	{"org.mozilla.ios.Firefox", "Firefox", "Mozilla", "35.0", "com.apple.AppStore.ProductPageExtension", "2021-05-11T08:01:44Z"},
	{PegasusBundleProcess, "Reports", "Apple", "1.0", "com.apple.AppStore", "2021-07-13T23:40:00Z"},
	{LookalikeBundleID, "Reports Viewer", "Example Ltd", "3.2", "com.apple.AppStore", "2021-02-01T10:00:00Z"},
	{"com.example.sideloaded", "Helper", "Unknown", "0.9", "com.example.altstore", "2021-07-01T12:00:00Z"},
	{"", "Untitled", "", "1", "", ""},
}

func metadata(a App) []byte {
	m := map[string]any{
		"itemName": a.Name, "artistName": a.Artist, "bundleShortVersionString": a.Version,
		"bundleVersion": a.Version, "kind": "software", "genre": "Utilities", "itemId": uint64(310633997),
		"com.apple.iTunesStore.downloadInfo": map[string]any{
			"accountInfo": map[string]any{"AppleID": "user@example.org", "DSPersonID": uint64(1234567)},
		},
	}
	if a.BundleID != "" {
		m["softwareVersionBundleId"] = a.BundleID
	}
	if a.Source != "" {
		m["sourceApp"] = a.Source
	}
	if a.Purchased != "" {
		m["com.apple.iTunesStore.downloadInfo"].(map[string]any)["purchaseDate"] = a.Purchased
	}
	return XMLPlist(m)
}

// Applications returns the backup's Info.plist (a root file: empty Domain)
// with an Applications dictionary, and the dump's iTunesMetadata.plist of
// each app bundle.
func Applications() []iosgen.File {
	apps := map[string]any{}
	var installed []string
	var out []iosgen.File
	for i, a := range Apps {
		md := metadata(a)
		key := a.BundleID
		if key == "" {
			key = "unnamed.app"
		}
		apps[key] = map[string]any{"iTunesMetadata": md, "PlaceholderIcon": []byte(fmt.Sprintf("\x89PNG icon %d", i))}
		installed = append(installed, key)
		out = append(out, iosgen.File{Path: fmt.Sprintf("private/var/containers/Bundle/Application/%08X-1111-4222-8333-%012X/iTunesMetadata.plist", i+1, i+1), Data: md})
	}
	installed = append(installed, "com.apple.Pages")
	info := Plist(map[string]any{
		"Applications": apps, "Installed Applications": installed, "Device Name": "Test iPhone",
		"Product Version": "14.6", "Build Version": "18F72", "Product Type": "iPhone12,1",
	})
	return append(out, iosgen.File{RelativePath: "Info.plist", Data: info})
}
