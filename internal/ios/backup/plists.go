package backup

import (
	"fmt"
	"sort"
	"time"

	"github.com/spyscan/spyscan/internal/ios/keyedarchive"
)

// ManifestPlist holds the fields of Manifest.plist that matter here.
type ManifestPlist struct {
	IsEncrypted    bool
	BackupKeyBag   []byte
	ManifestKey    []byte
	Version        string
	Date           time.Time
	WasPasscodeSet bool
	Lockdown       map[string]any
	Applications   []string // bundle ids, sorted
	Raw            map[string]any
}

// ParseManifestPlist parses Manifest.plist (binary or XML), tolerating
// missing or oddly typed fields.
func ParseManifestPlist(data []byte) (*ManifestPlist, error) {
	var raw map[string]any
	if err := keyedarchive.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("Manifest.plist: %w", err)
	}
	if raw == nil {
		return nil, fmt.Errorf("Manifest.plist: not a dictionary")
	}
	m := &ManifestPlist{Raw: raw}
	m.IsEncrypted, _ = raw["IsEncrypted"].(bool)
	m.BackupKeyBag, _ = raw["BackupKeyBag"].([]byte)
	m.ManifestKey, _ = raw["ManifestKey"].([]byte)
	m.Version, _ = raw["Version"].(string)
	m.Date, _ = raw["Date"].(time.Time)
	m.WasPasscodeSet, _ = raw["WasPasscodeSet"].(bool)
	m.Lockdown, _ = raw["Lockdown"].(map[string]any)
	if apps, ok := raw["Applications"].(map[string]any); ok {
		m.Applications = sortedKeys(apps)
	}
	return m, nil
}

// LockdownString returns a string field of the Lockdown dictionary.
func (m *ManifestPlist) LockdownString(key string) string {
	if m == nil {
		return ""
	}
	s, _ := m.Lockdown[key].(string)
	return s
}

// ParsePlistDict parses any plist whose root is a dictionary (Info.plist,
// Status.plist).
func ParsePlistDict(name string, data []byte) (map[string]any, error) {
	var raw map[string]any
	if err := keyedarchive.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if raw == nil {
		return nil, fmt.Errorf("%s: not a dictionary", name)
	}
	return raw, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
