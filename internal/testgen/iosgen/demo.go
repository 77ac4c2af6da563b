package iosgen

import "time"

// DemoPassword is the password of the committed encrypted demo backup.
const DemoPassword = "spyscan-demo"

// DemoDevice is the phone of the demo acquisitions (an outdated iOS).
var DemoDevice = Device{Name: "Demo iPhone", ProductType: "iPhone13,2", ProductVersion: "16.6", BuildVersion: "20G75",
	UDID: "00008101000D3M0A0B1C2D3E", Serial: "DEMO0SERIAL", TimeZone: "Europe/Berlin"}

// DemoTime is when the demo backup was taken.
var DemoTime = time.Date(2023, 9, 12, 14, 30, 0, 0, time.UTC)

// DemoApps are the demo device's installed apps.
var DemoApps = []string{"com.apple.mobilesafari", "net.whatsapp.WhatsApp", "org.whispersystems.signal"}

// DemoSpec is the plain demo backup (gen-ios-demo adds artifact fixtures
// and writes an encrypted copy too).
func DemoSpec() BackupSpec {
	return BackupSpec{Device: DemoDevice, Date: DemoTime, Apps: DemoApps, Files: DemoBackupFiles(), Seed: 2023}
}

// DemoBackupFiles are the acquisition-level files of the demo backup, with
// planted indicator hits and clean look-alikes:
//   - a Safari WebKit LocalStorage file of the Pegasus domain
//     free247downloads.com (hit), next to notfree247downloads.com and
//     www.example.org (clean);
//   - a configuration profile whose UUID is a known-malicious one (hit), a
//     corporate root-certificate profile (LOW heuristic) and a Wi-Fi one
//     (clean), with their MCProfileEvents.plist entries.
func DemoBackupFiles() []File {
	t := DemoTime.Add(-72 * time.Hour)
	ls := "Library/WebKit/WebsiteData/LocalStorage/"
	var files []File
	for _, host := range []string{"free247downloads.com", "notfree247downloads.com", "www.example.org"} {
		files = append(files, File{Domain: "HomeDomain", RelativePath: ls + "https_" + host + "_0.localstorage",
			Path: "private/var/mobile/" + ls + "https_" + host + "_0.localstorage", Data: []byte("SQLite placeholder for " + host), ModTime: t})
	}
	profiles := []Profile{
		{UUID: "76DAB334-7E17-475D-A5D6-0794EB5818A5", Identifier: "com.apple.update.settings", DisplayName: "Software Update",
			PayloadTypes: []string{"com.apple.notificationsettings"}, Installed: t.Add(time.Minute)},
		{UUID: "3F2504E0-4F89-11D3-9A0C-0305E82C3301", Identifier: "org.example.corp.ca", DisplayName: "Example Corp CA",
			Organization: "Example Corp", PayloadTypes: []string{"com.apple.security.root"}, Installed: t.Add(-30 * 24 * time.Hour)},
		{UUID: "9B2E7C1D-0A4F-4E8B-9C3D-2F1A0B9C8D7E", Identifier: "org.example.wifi", DisplayName: "Office Wi-Fi",
			Organization: "Example Corp", PayloadTypes: []string{"com.apple.wifi.managed"}, Installed: t.Add(-30 * 24 * time.Hour)},
	}
	var events []ProfileEvent
	for i, p := range profiles {
		name := "profile-" + FileID("demo", p.UUID)[:32] + ".stub"
		files = append(files, File{Domain: ProfilesDomain, RelativePath: ProfilesRelDir + "/" + name,
			Path: ProfilesDumpDir + "/" + name, Data: ProfileStub(p), ModTime: p.Installed})
		proc := "profiled"
		if i == 0 {
			proc = "MobileSafari"
		}
		events = append(events, ProfileEvent{ProfileID: p.Identifier, Operation: "install", Process: proc, Time: p.Installed})
	}
	files = append(files, File{Domain: ProfilesDomain, RelativePath: ProfilesRelDir + "/MCProfileEvents.plist",
		Path: ProfilesDumpDir + "/MCProfileEvents.plist", Data: ProfileEvents(events), ModTime: t.Add(time.Minute)})
	return files
}
