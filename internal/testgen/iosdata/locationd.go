package iosdata

import (
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// PegasusStagingExecutable is a planted locationd client: a Pegasus process
// name in a writable folder.
const PegasusStagingExecutable = "/private/var/db/com.apple.xpc.roleaccountd.staging/" + PegasusProcess2

// LocationdClients returns locationd's clients.plist (backup: RootDomain;
// dump: private/var/mobile/...) with ordinary clients, a planted Pegasus
// executable and a look-alike system daemon.
func LocationdClients() []iosgen.File {
	at := func(d time.Duration) float64 { return AppleSec(sysBase.Add(d)) }
	token := []byte{0x01, 0x6a, 0xf2, 0x10, 0x00, 0x9c}
	m := map[string]any{
		"com.apple.Maps": map[string]any{
			"Authorization": uint64(4), "BundleId": "com.apple.Maps", "BundlePath": "/Applications/Maps.app",
			"Executable": "/Applications/Maps.app/Maps", "Registered": "/Applications/Maps.app/Maps",
			"LocationTimeStopped": at(-26 * time.Hour), "ReceivingLocationInformationTimeStopped": at(-26 * time.Hour),
			"ConsumptionPeriodBegin": at(-30 * 24 * time.Hour), "SupportedAuthorizationMask": uint64(7),
			"Whitelisted": false, "ClientStorageToken": token,
		},
		"net.whatsapp.WhatsApp": map[string]any{
			"Authorization": uint64(2), "BundleId": "net.whatsapp.WhatsApp",
			"BundlePath": "/private/var/containers/Bundle/Application/0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9/WhatsApp.app",
			"Executable": "/private/var/containers/Bundle/Application/0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9/WhatsApp.app/WhatsApp",
			"Registered": true, "LocationTimeStopped": at(-5 * time.Hour),
		},
		"com.apple.locationd.bundle-/System/Library/LocationBundles/Routine.bundle": map[string]any{
			"Authorization": uint64(2), "BundlePath": "/System/Library/LocationBundles/Routine.bundle",
			"VisitTimeStopped": at(-2 * time.Hour), "SignificantTimeStopped": at(-2 * time.Hour),
		},
		"com.apple.locationd.executable-/usr/libexec/" + LookalikeProcess + ":": map[string]any{
			"Authorization": uint64(2), "Executable": "/usr/libexec/" + LookalikeProcess, "Registered": "/usr/libexec/" + LookalikeProcess,
			"BackgroundLocationTimeStopped": at(-3 * time.Hour),
		},
		"com.apple.locationd.executable-" + PegasusStagingExecutable + ":": map[string]any{
			"Authorization": uint64(2), "Executable": PegasusStagingExecutable, "Registered": PegasusStagingExecutable,
			"LocationTimeStopped": at(-40 * time.Minute), "BackgroundLocationTimeStopped": at(-40 * time.Minute),
		},
		"MigrationVersion": uint64(5),
	}
	b := Plist(m)
	return []iosgen.File{{Domain: "RootDomain", RelativePath: "Library/Caches/locationd/clients.plist",
		Path: "private/var/mobile/Library/Caches/locationd/clients.plist", Data: b}}
}
