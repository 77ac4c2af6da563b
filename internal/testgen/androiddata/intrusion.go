package androiddata

import (
	"encoding/json"
	"strings"
	"time"
)

// Intrusion-log plants.
const (
	// PlantedIP is a ResidentBat C2 address (mvt-indicators), contacted in a
	// connect event and answered in a DNS event.
	PlantedIP = "83.220.169.120"
	// LookalikeIP ends with PlantedIP's digits: matching addresses as domain
	// suffixes would flag it, matching them as addresses must not.
	LookalikeIP = "183.220.169.120"
	// PlantedHost is a Pegasus subdomain queried in a DNS event.
	PlantedHost = "x." + PegasusDomain
	// CAInstalled is the subject of a CA certificate installed in the logs.
	CAInstalled = "CN=Acme Interception Root"
)

// IntrusionStart is the time of the first generated intrusion-log event.
var IntrusionStart = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// intrusionEvents returns the events of two days, in order. Times of dns
// and connect events are in milliseconds, of security events in
// nanoseconds, as Android writes them.
func intrusionEvents() []map[string]any {
	ms := func(min int) int64 { return IntrusionStart.Add(time.Duration(min) * time.Minute).UnixMilli() }
	ns := func(min int) int64 { return IntrusionStart.Add(time.Duration(min) * time.Minute).UnixNano() }
	sec := func(min int, id int, tag string, fields any) map[string]any {
		return map[string]any{"security_event": map[string]any{"event_id": id, "event_time": ns(min), tag: fields}}
	}
	return []map[string]any{
		sec(0, 100, "os_startup", map[string]any{"verified_boot_state": "green", "dm_verity_mode": "enforcing"}),
		sec(1, 101, "keyguard_dismiss_auth_attempt", map[string]any{"success": true, "method_strength": 1}),
		sec(1, 102, "keyguard_dismissed", map[string]any{}),
		{"dns_event": map[string]any{"event_time": ms(2), "hostname": "www.wikipedia.org", "ip_addresses": []string{"/185.15.58.224"}, "package_name": "org.mozilla.firefox"}},
		{"connect_event": map[string]any{"event_time": ms(2), "ip_address": "/185.15.58.224", "port": 443, "package_name": "org.mozilla.firefox"}},
		sec(3, 103, "app_process_start", map[string]any{"process": StalkerAppID + ":remote", "uid": 10211, "pid": 4242}),
		{"dns_event": map[string]any{"event_time": ms(4), "hostname": PlantedHost, "ip_addresses": []string{"/" + PlantedIP, "0.0.0.0"}, "package_name": StalkerAppID}},
		{"connect_event": map[string]any{"event_time": ms(4), "ip_address": "/" + PlantedIP, "port": 443, "package_name": StalkerAppID}},
		{"connect_event": map[string]any{"event_time": ms(5), "ip_address": "/" + LookalikeIP, "port": 443, "package_name": "com.whatsapp"}},
		{"dns_event": map[string]any{"event_time": ms(5), "hostname": LookalikeDomain, "ip_addresses": []string{"/" + LookalikeIP}, "package_name": LookalikeAppID}},
		{"connect_event": map[string]any{"event_time": ms(6), "ip_address": "ip6-localhost/::1", "port": 5037, "package_name": ""}},
		// the raw SecurityLog form: tag number and positional data
		{"security_event": map[string]any{"event_time": ns(7), "tag": 210041, "data": []any{StalkerAppID, 42, 0}}},
		sec(8, 104, "cert_authority_installed", map[string]any{"success": true, "subject": CAInstalled, "user_id": 0}),
		sec(9, 105, "cert_authority_installed", map[string]any{"success": false, "subject": "CN=Failed Root", "user_id": 0}),
		sec(10, 106, "adb_shell_cmd", map[string]any{"command": CampaignPath + " -d"}),
		sec(11, 107, "key_generated", map[string]any{"success": false, "key_id": "PinStorage_crossReboot_key", "uid": 1001}),
		sec(12, 108, "future_security_tag", map[string]any{"package_name": "org.example.future"}),
		{"future_event": map[string]any{"event_time": ms(13), "field": "value"}},
		sec(24*60, 109, "keyguard_secured", map[string]any{}),
		{"dns_event": map[string]any{"hostname": "time.android.com", "ip_addresses": []string{"/216.239.35.0"}, "package_name": "android"}}, // no event_time
	}
}

// IntrusionLogs returns two overlapping daily files of Intrusion Logs
// (the second repeats the first's last three events) under dir ("" for
// the root); with malformed, the second file's fifth line is cut short.
func IntrusionLogs(dir string, malformed bool) map[string][]byte {
	evs := intrusionEvents()
	line := func(e map[string]any) string { b, _ := json.Marshal(e); return string(b) }
	var day1, day2 []string
	for i, e := range evs {
		if i < 15 {
			day1 = append(day1, line(e))
		}
		if i >= 12 {
			day2 = append(day2, line(e))
		}
	}
	if malformed {
		day2 = append(day2[:4:4], append([]string{`{"dns_event": {"event_time": 1780000000000, "hostname": `}, day2[4:]...)...)
	}
	if dir != "" && !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	return map[string][]byte{
		dir + "2026-06-01.txt": []byte(strings.Join(day1, "\n") + "\n"),
		dir + "2026-06-02.txt": []byte(strings.Join(day2, "\r\n")), // Windows line ends, no final one
	}
}
