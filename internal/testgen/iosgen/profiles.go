package iosgen

import (
	"time"

	"howett.net/plist"
)

// Locations of configuration-profile files in backups and dumps.
const (
	ProfilesDomain  = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"
	ProfilesRelDir  = "Library/ConfigurationProfiles"
	ProfilesDumpDir = "private/var/containers/Shared/SystemGroup/systemgroup.com.apple.configurationprofiles/Library/ConfigurationProfiles"
)

// Profile describes an installed configuration profile.
type Profile struct {
	UUID, Identifier, DisplayName, Organization string
	PayloadTypes                                []string // e.g. com.apple.security.root
	Installed                                   time.Time
}

// ProfileStub renders the profile-<hash>.stub plist a device keeps.
func ProfileStub(p Profile) []byte {
	var content []any
	for i, t := range p.PayloadTypes {
		content = append(content, map[string]any{"PayloadType": t, "PayloadIdentifier": p.Identifier + "." + t,
			"PayloadUUID": p.UUID[:len(p.UUID)-1] + string(rune('0'+i%10)), "PayloadVersion": 1})
	}
	b, err := plist.Marshal(map[string]any{
		"PayloadType": "Configuration", "PayloadUUID": p.UUID, "PayloadIdentifier": p.Identifier,
		"PayloadDisplayName": p.DisplayName, "PayloadOrganization": p.Organization, "PayloadVersion": 1,
		"PayloadContent": content, "InstallDate": p.Installed.UTC(), "IsEncrypted": false,
		"SignerCerts": []any{[]byte{0x30, 0x82, 0x01, 0x0a}},
	}, plist.XMLFormat)
	if err != nil {
		panic(err) // only static types above
	}
	return b
}

// ProfileEvent is one entry of MCProfileEvents.plist.
type ProfileEvent struct {
	ProfileID, Operation, Process string
	Time                          time.Time
}

// ProfileEvents renders MCProfileEvents.plist.
func ProfileEvents(evs []ProfileEvent) []byte {
	var list []any
	for _, e := range evs {
		list = append(list, map[string]any{e.ProfileID: map[string]any{"timestamp": e.Time.UTC(), "operation": e.Operation, "process": e.Process}})
	}
	b, err := plist.Marshal(map[string]any{"ProfileEvents": list}, plist.BinaryFormat)
	if err != nil {
		panic(err)
	}
	return b
}
