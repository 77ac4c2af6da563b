package modules_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"

	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/ios/modules/backupinfo"
	"github.com/spyscan/spyscan/internal/ios/modules/calendar"
	"github.com/spyscan/spyscan/internal/ios/modules/interactionc"
	"github.com/spyscan/spyscan/internal/ios/modules/resourceloadstats"
	"github.com/spyscan/spyscan/internal/ios/modules/safaribrowserstate"
	"github.com/spyscan/spyscan/internal/ios/modules/sms"
	"github.com/spyscan/spyscan/internal/ios/modules/whatsapp"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/mvtparity"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

// The key names of MVT's JSON results per module (mvt-project/mvt
// dac4acb, src/mvt/ios/modules, and its output on its sample backup), and
// the spyscan field that holds the same value where spyscan's name differs
// (docs/mvt-parity.md, "Record fields"). Each test runs the module on a
// generated input and wants every key in its records.

var mvtWhatsAppContactKeys = []string{"row_pk", "whatsapp_id", "lid", "phone_number", "localized_phone_number", "full_name",
	"given_name", "last_name", "user_name", "business_name", "about_text", "about_emoji", "notes", "disappearing_mode_duration",
	"disappearing_mode_timestamp", "about_timestamp", "about_expiration_timestamp", "last_updated", "phone_status", "sync_policy",
	"disappearing_mode_is_on", "disappearing_mode_label"}

func TestMVTKeysWhatsAppContacts(t *testing.T) {
	res, err := modtest.Run(t, whatsapp.NewContacts(), acquisition.IOSBackup, modtest.BackupFS(iosdata.WhatsApp()))
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantMVTKeys(t, res, nil, mvtWhatsAppContactKeys, map[string]string{"row_pk": "id"})
	ana := recordWhere(t, res, "id", 1.0)
	for k, want := range map[string]any{"given_name": "Ana", "last_name": "Muster", "user_name": "ana.m", "business_name": "Muster GmbH",
		"localized_phone_number": "079 000 00 01", "about_emoji": "\u2600", "notes": "met in Bern", "phone_status": 1.0, "sync_policy": 2.0,
		"disappearing_mode_is_on": true, "disappearing_mode_label": "7 days"} {
		if ana[k] != want {
			t.Errorf("Ana's %s = %#v, want %#v", k, ana[k], want)
		}
	}
	bob := recordWhere(t, res, "id", 2.0)
	if bob["given_name"] != nil || bob["disappearing_mode_is_on"] != false || bob["disappearing_mode_label"] != "off" {
		t.Errorf("Bob (NULL names, timer off): %v", bob)
	}
}

// recordWhere returns the first record of res whose key is want.
func recordWhere(t *testing.T, res model.ModuleResult, key string, want any) map[string]any {
	t.Helper()
	for _, r := range res.Records {
		var m map[string]any
		if err := json.Unmarshal(r, &m); err != nil {
			t.Fatal(err)
		}
		if m[key] == want {
			return m
		}
	}
	t.Fatalf("%s: no record with %s = %v", res.Module, key, want)
	return nil
}

var mvtCalendarKeys = []string{"id", "summary", "description", "start_date", "end_date", "all_day", "calendar_id", "organizer_id", "url",
	"last_modified", "external_id", "external_mod_tag", "unique_identifier", "hidden", "uuid", "creation_date", "action", "created_by_id",
	"participant_uuid", "participant_email", "participant_phone", "participant_comment", "participant_last_modified"}

func TestMVTKeysCalendar(t *testing.T) {
	res, err := modtest.Run(t, calendar.New(), acquisition.IOSBackup, modtest.BackupFS(iosdata.Calendar()))
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantMVTKeys(t, res, nil, mvtCalendarKeys, map[string]string{"participant_uuid": "organizer.uuid", "participant_email": "organizer.email",
		"participant_phone": "organizer.phone", "participant_comment": "organizer.comment", "participant_last_modified": "organizer.last_modified"})
	dentist := recordWhere(t, res, "id", 4.0)
	for k, want := range map[string]any{"calendar_id": 1.0, "organizer_id": 0.0, "external_id": "ext-4", "external_mod_tag": "tag-4",
		"action": "BEGIN", "created_by_id": 5.0, "all_day": false, "hidden": false, "url": ""} {
		if dentist[k] != want {
			t.Errorf("event 4's %s = %#v, want %#v", k, dentist[k], want)
		}
	}
	if m := recordWhere(t, res, "id", 1.0); m["external_id"] != nil || m["action"] != nil {
		t.Errorf("event 1 (NULL columns): %v", m)
	}
}

var mvtInteractionCKeys = []string{"start_date", "end_date", "bundle_id", "account", "target_bundle_id", "direction",
	"sender_display_name", "sender_identifier", "sender_personid", "recipient_display_name", "recipient_identifier", "recipient_personid",
	"recipient_count", "domain_identifier", "is_response", "content", "uti", "attachment_content_url", "size", "photo_local_id",
	"attachment_id", "cloud_id", "incoming_recipient_count", "incoming_sender_count", "outgoing_recipient_count",
	"interactions_creation_date", "contacts_creation_date", "first_incoming_recipient_date", "first_incoming_sender_date",
	"first_outgoing_recipient_date", "last_incoming_sender_date", "last_incoming_recipient_date", "last_outgoing_recipient_date",
	"custom_id", "interaction_content_url", "location_uuid", "group_name", "derivied_intent_id", "table_id"}

func TestMVTKeysInteractionC(t *testing.T) {
	res, err := modtest.Run(t, interactionc.New(), acquisition.IOSBackup, modtest.BackupFS(iosdata.InteractionC()))
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantMVTKeys(t, res, nil, mvtInteractionCKeys, mvtparity.Renamed["interactionc"])
	two := recordWhere(t, res, "id", 2.0)
	att := two["attachments"].([]any)[0].(map[string]any)
	for k, want := range map[string]any{"content": "see this", "uti": "public.url", "size": 12.0, "photo_local_id": "photo-1",
		"attachment_id": "00FF10", "cloud_id": "cloud-1"} {
		if att[k] != want {
			t.Errorf("attachment's %s = %#v, want %#v", k, att[k], want)
		}
	}
	if two["is_response"] != 0.0 || two["location_uuid"] != "L-1" || two["derivied_intent_id"] != "intent-2" || two["recipient_count"] != 1.0 {
		t.Errorf("interaction 2: %v", two)
	}
	ana := two["sender"].(map[string]any)
	if ana["custom_id"] != "ana-custom" || ana["outgoing_recipient_count"] != 3.0 || ana["last_outgoing_recipient_date"] != iosmod.ISO(iosdata.At(2*time.Hour)) {
		t.Errorf("Ana as sender: %v", ana)
	}
}

var mvtSafariBrowserStateKeys = []string{"tab_title", "tab_url", "tab_visible_url", "last_viewed_timestamp", "session_data", "safari_browser_state_db"}

func TestMVTKeysSafariBrowserState(t *testing.T) {
	res, err := modtest.Run(t, safaribrowserstate.New(), acquisition.IOSBackup, modtest.BackupFS(iosdata.SafariBrowserState()))
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantMVTKeys(t, res, nil, mvtSafariBrowserStateKeys, map[string]string{"last_viewed_timestamp": "last_viewed", "safari_browser_state_db": "db"})
	modtest.WantMVTKeys(t, res, nil, []string{"entry_title", "entry_url", "data_length"}, map[string]string{
		"entry_title": "session_data[].entry_title", "entry_url": "session_data[].entry_url", "data_length": "session_data[].data_length"})
	for _, r := range res.Records {
		var tab struct {
			SessionURLs []string `json:"session_urls"`
			SessionData []struct {
				Title      string `json:"entry_title"`
				URL        string `json:"entry_url"`
				DataLength int    `json:"data_length"`
			} `json:"session_data"`
		}
		if err := json.Unmarshal(r, &tab); err != nil {
			t.Fatal(err)
		}
		if tab.SessionData == nil {
			t.Errorf("session_data null, want a list: %s", r)
		}
		for i, e := range tab.SessionData {
			if e.URL == "" || e.Title != e.URL || e.DataLength != len("state") {
				t.Errorf("session entry %d: %+v", i, e)
			}
		}
	}
}

// mvtWhatsAppMessageKeys: MVT keeps ZWAMESSAGE.* (here the generated
// table's columns), the media item's and first data item's columns, the
// ISO date and the links.
var mvtWhatsAppMessageKeys = []string{"Z_PK", "Z_ENT", "ZCHATSESSION", "ZFROMJID", "ZTOJID", "ZTEXT", "ZMESSAGEDATE", "ZMESSAGETYPE", "ZISFROMME",
	"ZMESSAGESTATUS", "ZSORT", "ZSTARRED", "ZSENTDATE", "ZSTANZAID", "ZPUSHNAME", "ZAUTHORNAME", "ZMEDIAURL", "ZCONTENT1", "ZCONTENT2",
	"ZMATCHEDTEXT", "ZSUMMARY", "ZTITLE", "isodate", "links"}

var mvtWhatsAppChatKeys = []string{"session_pk", "contact_jid", "partner_name", "session_type", "archived", "removed", "message_counter",
	"last_message_date", "group_creation_date", "first_stored_message_date", "last_stored_message_date", "stored_message_count",
	"record_type", "partner_resolved_phone_number"}

var mvtWhatsAppLIDPairKeys = []string{"lid", "phone_number", "pair_timestamp", "record_type"}

func TestMVTKeysWhatsApp(t *testing.T) {
	res, err := modtest.Run(t, whatsapp.NewMessages(), acquisition.IOSBackup, modtest.BackupFS(iosdata.WhatsApp()))
	if err != nil {
		t.Fatal(err)
	}
	kind := func(k string) func(map[string]any) bool { return func(m map[string]any) bool { return m["kind"] == k } }
	modtest.WantMVTKeys(t, res, kind(whatsapp.KindMessage), mvtWhatsAppMessageKeys, map[string]string{"Z_PK": "id", "ZFROMJID": "from_jid",
		"ZTOJID": "to_jid", "ZTEXT": "text", "ZMESSAGEDATE": "date", "isodate": "date", "ZMESSAGETYPE": "message_type", "ZISFROMME": "from_me",
		"ZMEDIAURL": "media_url"})
	modtest.WantMVTKeys(t, res, kind(whatsapp.KindChat), mvtWhatsAppChatKeys, map[string]string{"session_pk": "id", "record_type": "kind",
		"last_message_date": "last_message", "group_creation_date": "group_created", "first_stored_message_date": "first_stored_message",
		"stored_message_count": "stored_messages", "partner_resolved_phone_number": "resolved_phone_number"})
	modtest.WantMVTKeys(t, res, kind(whatsapp.KindLIDPair), mvtWhatsAppLIDPairKeys, map[string]string{"pair_timestamp": "date", "record_type": "kind"})
	m := recordWhere(t, res, "id", 1.0)
	for k, want := range map[string]any{"Z_ENT": 9.0, "ZMESSAGESTATUS": 8.0, "ZSORT": 101.0, "ZSTARRED": 0.0, "ZSTANZAID": "3EB0C767D71D",
		"ZPUSHNAME": `Ana \xff`, "ZCHATSESSION": 1.0, "ZAUTHORNAME": nil} {
		if m[k] != want {
			t.Errorf("message 1's %s = %#v, want %#v", k, m[k], want)
		}
	}
	if m["ZSENTDATE"] == nil || m["Z_PK"] != nil || m["ZTEXT"] != nil {
		t.Errorf("message 1 (ZSENTDATE kept, the columns spyscan names left out): %v", m)
	}
	if m := recordWhere(t, res, "id", 3.0); m["ZAUTHORNAME"] != "Ana" {
		t.Errorf("message 3's media author %v", m["ZAUTHORNAME"])
	}
	if m := recordWhere(t, res, "id", 2.0); m["ZTITLE"] != "Preview" || m["ZCONTENT2"] != nil {
		t.Errorf("message 2's data item %v %v", m["ZTITLE"], m["ZCONTENT2"])
	}
}

// mvtBackupInfoKeys are the Info.plist keys MVT's BackupInfo keeps, as
// spyscan names them (snake case).
var mvtBackupInfoKeys = []string{"Build Version", "Device Name", "Display Name", "GUID", "ICCID", "IMEI", "MEID", "Installed Applications",
	"Last Backup Date", "Phone Number", "Product Name", "Product Type", "Product Version", "Serial Number", "Target Identifier",
	"Target Type", "Unique Identifier", "iTunes Version"}

func TestMVTKeysBackupInfo(t *testing.T) {
	info := map[string]any{"Last Backup Date": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "Installed Applications": []any{"a.b"}}
	renamed := map[string]string{}
	for _, k := range mvtBackupInfoKeys {
		renamed[k] = strings.ReplaceAll(strings.ToLower(k), " ", "_")
		if _, ok := info[k]; !ok {
			info[k] = "v " + k
		}
	}
	renamed["Installed Applications"] = "installed_applications"
	res, err := modtest.Run(t, backupinfo.New(), acquisition.IOSBackup, map[string][]byte{"Info.plist": iosdata.Plist(info)})
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantMVTKeys(t, res, nil, mvtBackupInfoKeys, renamed)
	if m := recordWhere(t, res, "meid", "v MEID"); m["target_type"] != "v Target Type" || m["guid"] != "v GUID" {
		t.Errorf("record %v", m)
	}
}

// mvtSMSKeys: MVT keeps message.* (iOS 14's columns, as the generated
// table has them), the handle as phone_number, and its derived fields.
var mvtSMSKeys = []string{"ROWID", "guid", "text", "replace", "service_center", "handle_id", "subject", "country", "attributedBody",
	"version", "type", "service", "account", "account_guid", "error", "date", "date_read", "date_delivered", "is_delivered", "is_finished",
	"is_emote", "is_from_me", "is_empty", "is_delayed", "is_auto_reply", "is_prepared", "is_read", "is_system_message", "is_sent",
	"has_dd_results", "is_service_message", "is_forward", "was_downgraded", "is_archive", "cache_has_attachments", "cache_roomnames",
	"was_data_detected", "was_deduplicated", "is_audio_message", "is_played", "date_played", "item_type", "other_handle", "group_title",
	"group_action_type", "share_status", "share_direction", "is_expirable", "expire_state", "message_action_type", "message_source",
	"associated_message_guid", "associated_message_type", "balloon_bundle_id", "payload_data", "expressive_send_style_id",
	"associated_message_range_location", "associated_message_range_length", "time_expressive_send_played", "message_summary_info",
	"ck_sync_state", "ck_record_id", "ck_record_change_tag", "destination_caller_id", "sr_ck_sync_state", "sr_ck_record_id",
	"sr_ck_record_change_tag", "is_corrupt", "reply_to_guid", "sort_id", "is_spam", "has_unseen_mention", "thread_originator_guid",
	"thread_originator_part", "phone_number", "isodate", "isodate_read", "direction", "links"}

func TestMVTKeysSMS(t *testing.T) {
	msgs := iosdata.SMSMessages()
	msgs[0].Payload = []byte{0, 1, 0xff}
	res, err := modtest.Run(t, sms.New(), acquisition.IOSBackup, modtest.BackupFS(iosdata.SMSFrom(msgs, nil, 0, iosdata.SMSSchema)))
	if err != nil {
		t.Fatal(err)
	}
	// date and date_read are ISO text (MVT: the raw number, and the ISO
	// text as isodate, isodate_read); the body is decoded into text,
	// attributed_body_text and attributed_body_links (kept raw, base64,
	// as attributed_body only when it cannot be decoded)
	modtest.WantMVTKeys(t, res, nil, mvtSMSKeys, map[string]string{"ROWID": "id", "phone_number": "handle", "isodate": "date",
		"isodate_read": "date_read", "attributedBody": "text"})
	m := recordWhere(t, res, "id", 1.0)
	for k, want := range map[string]any{"payload_data": "AAH/", "message_summary_info": "AAH/", "handle_id": 1.0, "is_from_me": 0.0,
		"is_read": 1.0, "ck_sync_state": 0.0, "ck_record_id": nil, "country": nil} {
		if m[k] != want {
			t.Errorf("message 1's %s = %#v, want %#v", k, m[k], want)
		}
	}
}

// mvtSMSAttachmentKeys: MVT keeps attachment.* (iOS 14's columns, as the
// generated table has them) and its derived fields.
var mvtSMSAttachmentKeys = []string{"attachment_id", "ROWID", "guid", "created_date", "start_date", "filename", "uti", "mime_type",
	"transfer_state", "is_outgoing", "user_info", "transfer_name", "total_bytes", "is_sticker", "sticker_user_info", "attribution_info",
	"hide_attachment", "ck_sync_state", "ck_server_change_token_blob", "ck_record_id", "original_guid", "sr_ck_sync_state",
	"sr_ck_server_change_token_blob", "sr_ck_record_id", "is_commsafety_sensitive", "service", "phone_number", "isodate", "direction",
	"has_user_info"}

func TestMVTKeysSMSAttachments(t *testing.T) {
	res, err := modtest.Run(t, sms.NewAttachments(), acquisition.IOSBackup, modtest.BackupFS(iosdata.SMS(0)))
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantMVTKeys(t, res, nil, mvtSMSAttachmentKeys, map[string]string{"attachment_id": "id", "ROWID": "id", "phone_number": "handle",
		"isodate": "created"})
	a := recordWhere(t, res, "id", 1.0)
	if a["start_date"] != "" || a["created_date"] == nil || a["transfer_state"] != 5.0 || a["is_outgoing"] != 0.0 || a["user_info"] != nil {
		t.Errorf("attachment 1: %v", a)
	}
}

var mvtResourceLoadStatsKeys = []string{"domain_id", "registrable_domain", "last_seen", "had_user_interaction", "last_seen_isodate",
	"domain", "path", "most_recent_user_interaction_time", "most_recent_user_interaction_time_isodate"}

func TestMVTKeysResourceLoadStats(t *testing.T) {
	res, err := modtest.Run(t, resourceloadstats.New(), acquisition.IOSBackup, modtest.BackupFS(iosdata.Observations(0)))
	if err != nil {
		t.Fatal(err)
	}
	// last_seen is ISO text (MVT: the raw Unix time; its ISO text is
	// last_seen_isodate); path is the part of db after app/
	modtest.WantMVTKeys(t, res, func(m map[string]any) bool { return m["domain_id"] != nil }, mvtResourceLoadStatsKeys, map[string]string{
		"last_seen_isodate": "last_seen", "domain": "app", "path": "db", "most_recent_user_interaction_time_isodate": "most_recent_user_interaction"})
	for _, r := range res.Records {
		var d struct {
			ID  *int64   `json:"domain_id"`
			Raw *float64 `json:"most_recent_user_interaction_time"`
		}
		if err := json.Unmarshal(r, &d); err != nil {
			t.Fatal(err)
		}
		if d.ID != nil && d.Raw == nil {
			t.Errorf("domain without its raw interaction time: %s", r)
		}
	}
}
