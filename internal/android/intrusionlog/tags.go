package intrusionlog

// tag is one SecurityLog tag: its number, its name (as intrusion logs and
// MVT write it), and the names of the elements of its raw data array, in
// SecurityLog's documented order.
type tag struct {
	id     int
	name   string
	fields []string
}

var admin3 = []string{"admin_package", "admin_user_id", "target_user_id"}

func with(base []string, more ...string) []string {
	return append(append([]string{}, base...), more...)
}

// tags are SecurityLog's tags (android.app.admin.SecurityLog, API 24 to 36).
var tags = []tag{
	{210001, "adb_shell_interactive", nil},
	{210002, "adb_shell_cmd", []string{"command"}},
	{210003, "adb_sync_recv_file", []string{"path"}},
	{210004, "adb_sync_send_file", []string{"path"}},
	{210005, "app_process_start", []string{"process", "start_time", "uid", "pid", "seinfo", "apk_hash"}},
	{210006, "keyguard_dismissed", nil},
	{210007, "keyguard_dismiss_auth_attempt", []string{"success", "method_strength"}},
	{210008, "keyguard_secured", nil},
	{210009, "os_startup", []string{"verified_boot_state", "dm_verity_mode"}},
	{210010, "os_shutdown", nil},
	{210011, "logging_started", nil},
	{210012, "logging_stopped", nil},
	{210013, "media_mount", []string{"mount_point", "volume_label"}},
	{210014, "media_unmount", []string{"mount_point", "volume_label"}},
	{210015, "log_buffer_size_critical", nil},
	{210016, "password_expiration_set", with(admin3, "timeout_ms")},
	{210017, "password_complexity_set", with(admin3, "length", "quality", "letters", "non_letters", "numeric", "uppercase", "lowercase", "symbols")},
	{210018, "password_history_length_set", with(admin3, "length")},
	{210019, "max_screen_lock_timeout_set", with(admin3, "timeout_ms")},
	{210020, "max_password_attempts_set", with(admin3, "max_attempts")},
	{210021, "keyguard_disabled_features_set", with(admin3, "disabled_features")},
	{210022, "remote_lock", admin3},
	{210023, "wipe_failure", nil},
	{210024, "key_generated", []string{"success", "key_id", "uid"}},
	{210025, "key_import", []string{"success", "key_id", "uid"}},
	{210026, "key_destruction", []string{"success", "key_id", "uid"}},
	{210027, "user_restriction_added", []string{"admin_package", "admin_user_id", "restriction"}},
	{210028, "user_restriction_removed", []string{"admin_package", "admin_user_id", "restriction"}},
	{210029, "cert_authority_installed", []string{"success", "subject", "user_id"}},
	{210030, "cert_authority_removed", []string{"success", "subject", "user_id"}},
	{210031, "crypto_self_test_completed", []string{"success"}},
	{210032, "key_integrity_violation", []string{"key_id", "uid"}},
	{210033, "cert_validation_failure", []string{"reason"}},
	{210034, "camera_policy_set", with(admin3, "disabled")},
	{210035, "password_complexity_required", with(admin3, "complexity")},
	{210036, "password_changed", []string{"complexity", "user_id"}},
	{210037, "wifi_connection", []string{"bssid", "event_type", "reason"}},
	{210038, "wifi_disconnection", []string{"bssid", "reason"}},
	{210039, "bluetooth_connection", []string{"mac_address", "success", "reason"}},
	{210040, "bluetooth_disconnection", []string{"mac_address", "reason"}},
	{210041, "package_installed", []string{"package_name", "version_code", "user_id"}},
	{210042, "package_updated", []string{"package_name", "version_code", "user_id"}},
	{210043, "package_uninstalled", []string{"package_name", "version_code", "user_id"}},
	{210044, "backup_service_toggled", []string{"admin_package", "admin_user_id", "enabled"}},
	{210045, "nfc_enabled", nil},
	{210046, "nfc_disabled", nil},
}

// exportedNames are the names real intrusion-log exports give fields that
// SecurityLog documents under another name, as the named-key form writes
// them (a Samsung Android 16 export, as published with AndroDR's test
// fixtures; testdata/androdr/SOURCES.md): app_process_start's APK hash is
// "sha256", package_* events name the package "package" and its version
// "version", device-admin events name the admin "package" and its user
// "admin_user", bluetooth events name the device "address". A name applies
// only to the tags that document the field, so a package_installed
// event's "package" is never read as a device admin.
var exportedNames = map[string]string{
	"apk_hash":      "sha256",
	"package_name":  "package",
	"version_code":  "version",
	"admin_package": "package",
	"admin_user_id": "admin_user",
	"mac_address":   "address",
}

// has reports whether the tag documents field.
func (t tag) has(field string) bool {
	for _, f := range t.fields {
		if f == field {
			return true
		}
	}
	return false
}

var tagByID, tagByName = indexTags()

func indexTags() (map[int]tag, map[string]tag) {
	byID, byName := map[int]tag{}, map[string]tag{}
	for _, t := range tags {
		byID[t.id] = t
		byName[t.name] = t
	}
	return byID, byName
}

// KnownTag reports whether name is a SecurityLog tag spyscan knows.
func KnownTag(name string) bool {
	_, ok := tagByName[name]
	return ok
}

// KnownType reports whether typ is an event type spyscan reads field by field.
func KnownType(typ string) bool { return typ == DNS || typ == Connect || typ == Security }
