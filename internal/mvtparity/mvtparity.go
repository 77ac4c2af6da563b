// Package mvtparity holds what spyscan's results and MVT's have in
// common by another name: per module, MVT's record key -> the spyscan
// record key holding the same value (the "Record fields" table of
// docs/mvt-parity.md). bench/mvtkeys uses it to compare two result
// folders, and the module tests to hold records to MVT's key lists.
package mvtparity

import "strings"

// Renamed is MVT's key -> spyscan's key holding the same value, per
// module (the "Record fields" table of docs/mvt-parity.md).
var Renamed = map[string]map[string]string{
	"backup_info":            snakeCase(),
	"sms_attachments":        {"attachment_id": "id", "ROWID": "id", "phone_number": "handle", "isodate": "created"},
	"calls":                  {"isodate": "date", "number": "address"},
	"contacts":               {"First": "first", "Middle": "middle", "Last": "last", "Organization": "organization"},
	"idstatuscache":          {"isodate": "lookup_date"},
	"safari_history":         {"id": "item_id", "isodate": "time", "timestamp": "time", "safari_history_db": "db"},
	"shortcuts":              {"isodate": "created", "modified_date": "modified", "parsed_actions": "actions"},
	"configuration_profiles": {"domain": "path", "relative_path": "path"},
	"locationd_clients": {"package": "client", "Authorization": "fields.Authorization", "BundleId": "bundle_id", "BundlePath": "bundle_path",
		"ClientStorageToken": "fields.ClientStorageToken", "ConsumptionPeriodBegin": "times.ConsumptionPeriodBegin", "Executable": "executable",
		"LocationTimeStopped": "times.LocationTimeStopped", "ReceivingLocationInformationTimeStopped": "times.ReceivingLocationInformationTimeStopped",
		"Registered": "registered", "SupportedAuthorizationMask": "fields.SupportedAuthorizationMask", "Whitelisted": "fields.Whitelisted",
		"SignificantTimeStopped": "times.SignificantTimeStopped", "VisitTimeStopped": "times.VisitTimeStopped",
		"BackgroundLocationTimeStopped": "times.BackgroundLocationTimeStopped"},
	"aqf_processes":     {"aprocress": "address", "stat": "state"},
	"backup_sms":        {"isodate": "timestamp"},
	"sms":               {"ROWID": "id", "phone_number": "handle", "isodate": "date", "isodate_read": "date_read", "attributedBody": "text"},
	"whatsapp_contacts": {"row_pk": "id"},
	"whatsapp": {"Z_PK": "id", "ZFROMJID": "from_jid", "ZTOJID": "to_jid", "ZTEXT": "text", "ZMESSAGEDATE": "date", "isodate": "date",
		"ZMESSAGETYPE": "message_type", "ZISFROMME": "from_me", "ZMEDIAURL": "media_url", "session_pk": "id", "record_type": "kind",
		"last_message_date": "last_message", "group_creation_date": "group_created", "first_stored_message_date": "first_stored_message",
		"stored_message_count": "stored_messages", "partner_resolved_phone_number": "resolved_phone_number", "pair_timestamp": "date"},
	"calendar": {"participant_uuid": "organizer.uuid", "participant_email": "organizer.email", "participant_phone": "organizer.phone",
		"participant_comment": "organizer.comment", "participant_last_modified": "organizer.last_modified"},
	"interactionc": {
		"sender_display_name": "sender.display_name", "sender_identifier": "sender.identifier", "sender_personid": "sender.person_id",
		"recipient_display_name": "recipient_contacts[].display_name", "recipient_identifier": "recipient_contacts[].identifier",
		"recipient_personid": "recipient_contacts[].person_id", "content": "attachments[].content", "uti": "attachments[].uti",
		"attachment_content_url": "attachments[].attachment_content_url", "size": "attachments[].size", "photo_local_id": "attachments[].photo_local_id",
		"attachment_id": "attachments[].attachment_id", "cloud_id": "attachments[].cloud_id",
		"incoming_recipient_count": "sender.incoming_recipient_count", "incoming_sender_count": "sender.incoming_sender_count",
		"outgoing_recipient_count": "sender.outgoing_recipient_count", "contacts_creation_date": "sender.creation_date",
		"first_incoming_recipient_date": "sender.first_incoming_recipient_date", "first_incoming_sender_date": "sender.first_incoming_sender_date",
		"first_outgoing_recipient_date": "sender.first_outgoing_recipient_date", "last_incoming_sender_date": "sender.last_incoming_sender_date",
		"last_incoming_recipient_date": "sender.last_incoming_recipient_date", "last_outgoing_recipient_date": "sender.last_outgoing_recipient_date",
		"custom_id": "sender.custom_id", "interaction_content_url": "content_url", "table_id": "id",
		"sender_resolved_phone_number": "sender.resolved_phone_number", "sender_resolved_name": "sender.resolved_name",
		"recipient_resolved_phone_number": "recipient_contacts[].resolved_phone_number", "recipient_resolved_name": "recipient_contacts[].resolved_name"},
	"manifest":             {"created": "birth", "status_changed": "status_change", "owner": "uid"},
	"tcc":                  {"auth_reason_desc": "auth_reason", "allowed_value": "auth_value"},
	"datausage":            {"first_isodate": "first_time", "isodate": "time", "live_isodate": "live_time", "live_proc_id": "proc_id"},
	"global_preferences":   {"entry": "key"},
	"safari_browser_state": {"last_viewed_timestamp": "last_viewed", "safari_browser_state_db": "db"},
	"webkit_resource_load_statistics": {"domain": "app", "path": "db", "last_seen_isodate": "last_seen",
		"most_recent_user_interaction_time_isodate": "most_recent_user_interaction"},
}

// Keyed is a module whose MVT results are one object keyed by a value
// that spyscan keeps, in each record of the entry, as Field.
type Keyed struct {
	Field string
	// AnyValue: MVT's key is written otherwise than spyscan's value (a
	// path on the analyst's disk rather than in the acquisition), so any
	// record with Field stands for it.
	AnyValue bool
}

// KeyedBy lists, per module, where spyscan keeps the keys of MVT's
// results: aqf_settings is one object per settings file keyed by its
// namespace ("global", "secure", "system", "random"...), spyscan one
// record per setting with its namespace; webkit_session_resource_log one
// object keyed by the database's path (the backup file's on the analyst's
// disk), each a list of rows, spyscan one record per row with its file
// (domain/relative path).
var KeyedBy = map[string]Keyed{"aqf_settings": {Field: "namespace"}, "webkit_session_resource_log": {Field: "file", AnyValue: true}}

// snakeCase maps MVT's BackupInfo keys (Info.plist's) to spyscan's.
func snakeCase() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"Build Version", "Device Name", "Display Name", "GUID", "ICCID", "IMEI", "MEID", "Installed Applications",
		"Last Backup Date", "Phone Number", "Product Name", "Product Type", "Product Version", "Serial Number", "Target Identifier",
		"Target Type", "Unique Identifier", "iTunes Version"} {
		m[k] = strings.ReplaceAll(strings.ToLower(k), " ", "_")
	}
	return m
}
