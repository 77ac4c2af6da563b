package iosdata

import (
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func homeFile(rel string, data []byte) iosgen.File {
	return iosgen.File{Domain: "HomeDomain", RelativePath: rel, Path: "private/var/mobile/" + rel, Data: data}
}

// Shortcuts returns Shortcuts.sqlite: one shortcut whose action opens a
// Pegasus URL, one clean.
func Shortcuts() []iosgen.File {
	action := func(id string, params map[string]any) map[string]any {
		return map[string]any{"WFWorkflowActionIdentifier": id, "WFWorkflowActionParameters": params}
	}
	bad := Plist([]any{
		action("is.workflow.actions.url", map[string]any{"WFURLActionURL": "https://" + PegasusSubdomain + "/s?id=9"}),
		action("is.workflow.actions.openurl", map[string]any{"Show-WFInput": true}),
	})
	clean := Plist([]any{action("is.workflow.actions.url", map[string]any{"WFURLActionURL": "https://" + LookalikeDomain + "/weather"})})
	db := BuildDB([]string{
		`CREATE TABLE ZSHORTCUT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZHIDDEN INTEGER, ZRUNEVENTSCOUNT INTEGER, ZCREATIONDATE TIMESTAMP, ZMODIFICATIONDATE TIMESTAMP, ZACTIONSDESCRIPTION VARCHAR, ZNAME VARCHAR, ZWORKFLOWID VARCHAR )`,
		`CREATE TABLE ZSHORTCUTACTIONS ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZSHORTCUT INTEGER, ZDATA BLOB )`,
	}, []iosgen.Stmt{
		iosgen.Ins("ZSHORTCUT", "Z_PK, ZCREATIONDATE, ZMODIFICATIONDATE, ZACTIONSDESCRIPTION, ZNAME, ZWORKFLOWID", 1, AppleSec(At(time.Hour)), AppleSec(At(2*time.Hour)), "Open URL", "Daily news", "WF-1"),
		iosgen.Ins("ZSHORTCUT", "Z_PK, ZCREATIONDATE, ZMODIFICATIONDATE, ZACTIONSDESCRIPTION, ZNAME, ZWORKFLOWID", 2, AppleSec(At(3*time.Hour)), AppleSec(At(3*time.Hour)), "Weather", "Weather", "WF-2"),
		iosgen.Ins("ZSHORTCUTACTIONS", "Z_PK, ZSHORTCUT, ZDATA", 1, 1, bad),
		iosgen.Ins("ZSHORTCUTACTIONS", "Z_PK, ZSHORTCUT, ZDATA", 2, 2, clean),
	})
	return []iosgen.File{homeFile("Library/Shortcuts/Shortcuts.sqlite", db)}
}

// InteractionC returns interactionC.db with an interaction from a
// Triangulation address carrying a Pegasus link, and clean ones.
func InteractionC() []iosgen.File {
	db := BuildDB([]string{
		`CREATE TABLE ZINTERACTIONS ( Z_PK INTEGER PRIMARY KEY, ZSENDER INTEGER, ZSTARTDATE REAL, ZENDDATE REAL, ZCREATIONDATE REAL, ZBUNDLEID TEXT, ZACCOUNT TEXT, ZTARGETBUNDLEID TEXT, ZDIRECTION INTEGER, ZRECIPIENTCOUNT INTEGER, ZDOMAINIDENTIFIER TEXT, ZISRESPONSE INTEGER, ZCONTENTURL TEXT, ZLOCATIONUUID TEXT, ZGROUPNAME TEXT, ZDERIVEDINTENTIDENTIFIER TEXT, ZMECHANISM INTEGER )`,
		`CREATE TABLE ZCONTACTS ( Z_PK INTEGER PRIMARY KEY, ZDISPLAYNAME TEXT, ZIDENTIFIER TEXT, ZPERSONID TEXT, ZCUSTOMIDENTIFIER TEXT, ZINCOMINGRECIPIENTCOUNT INTEGER, ZINCOMINGSENDERCOUNT INTEGER, ZOUTGOINGRECIPIENTCOUNT INTEGER, ZCREATIONDATE REAL, ZFIRSTINCOMINGRECIPIENTDATE REAL, ZFIRSTINCOMINGSENDERDATE REAL, ZFIRSTOUTGOINGRECIPIENTDATE REAL, ZLASTINCOMINGSENDERDATE REAL, ZLASTINCOMINGRECIPIENTDATE REAL, ZLASTOUTGOINGRECIPIENTDATE REAL )`,
		`CREATE TABLE ZATTACHMENT ( Z_PK INTEGER PRIMARY KEY, ZCONTENTTEXT TEXT, ZUTI TEXT, ZCONTENTURL TEXT, ZSIZEINBYTES INTEGER, ZPHOTOLOCALIDENTIFIER TEXT, ZIDENTIFIER BLOB, ZCLOUDIDENTIFIER TEXT )`,
		`CREATE TABLE Z_1INTERACTIONS ( Z_1ATTACHMENTS INTEGER, Z_3INTERACTIONS INTEGER )`,
		`CREATE TABLE Z_2INTERACTIONRECIPIENT ( Z_2RECIPIENTS INTEGER, Z_3INTERACTIONRECIPIENT INTEGER )`,
	}, []iosgen.Stmt{
		iosgen.Ins("ZCONTACTS", "Z_PK, ZDISPLAYNAME, ZIDENTIFIER, ZINCOMINGSENDERCOUNT, ZCREATIONDATE, ZFIRSTINCOMINGSENDERDATE, ZLASTINCOMINGSENDERDATE", 1, "", "mailto:"+TriangulationMail, 1, AppleSec(At(time.Hour)), AppleSec(At(time.Hour)), AppleSec(At(time.Hour))),
		iosgen.Ins("ZCONTACTS", "Z_PK, ZDISPLAYNAME, ZIDENTIFIER, ZINCOMINGSENDERCOUNT, ZCREATIONDATE", 2, "Ana", "mailto:"+LookalikeMail, 4, AppleSec(At(0))),
		iosgen.Ins("ZINTERACTIONS", "Z_PK, ZSENDER, ZSTARTDATE, ZENDDATE, ZCREATIONDATE, ZBUNDLEID, ZACCOUNT, ZDIRECTION, ZRECIPIENTCOUNT, ZDOMAINIDENTIFIER, ZCONTENTURL", 1, 1, AppleSec(At(time.Hour)), AppleSec(At(time.Hour)), AppleSec(At(time.Hour)), "com.apple.MobileSMS", "e:owner@example.org", 0, 1, "chat1", PegasusURL),
		iosgen.Ins("ZINTERACTIONS", "Z_PK, ZSENDER, ZSTARTDATE, ZENDDATE, ZCREATIONDATE, ZBUNDLEID, ZDIRECTION, ZRECIPIENTCOUNT", 2, 2, AppleSec(At(2*time.Hour)), AppleSec(At(2*time.Hour)), AppleSec(At(2*time.Hour)), StalkerwareAppID, 1, 1),
		iosgen.Ins("ZATTACHMENT", "Z_PK, ZUTI, ZCONTENTURL, ZSIZEINBYTES", 1, "public.url", "https://"+LookalikeDomain+"/a", 12),
		iosgen.Ins("Z_1INTERACTIONS", "Z_1ATTACHMENTS, Z_3INTERACTIONS", 1, 2),
		iosgen.Ins("Z_2INTERACTIONRECIPIENT", "Z_2RECIPIENTS, Z_3INTERACTIONRECIPIENT", 2, 1),
		// the columns MVT's results also have
		{SQL: "UPDATE ZCONTACTS SET ZPERSONID = 'P-ANA', ZCUSTOMIDENTIFIER = 'ana-custom', ZINCOMINGRECIPIENTCOUNT = 2, ZOUTGOINGRECIPIENTCOUNT = 3, ZFIRSTINCOMINGRECIPIENTDATE = ?, ZFIRSTOUTGOINGRECIPIENTDATE = ?, ZLASTINCOMINGRECIPIENTDATE = ?, ZLASTOUTGOINGRECIPIENTDATE = ? WHERE Z_PK = 2",
			Args: []any{AppleSec(At(0)), AppleSec(At(time.Minute)), AppleSec(At(time.Hour)), AppleSec(At(2 * time.Hour))}},
		{SQL: "UPDATE ZINTERACTIONS SET ZISRESPONSE = 0, ZTARGETBUNDLEID = 'com.apple.MobileSMS', ZLOCATIONUUID = 'L-1', ZGROUPNAME = 'team', ZDERIVEDINTENTIDENTIFIER = 'intent-2' WHERE Z_PK = 2"},
		{SQL: "UPDATE ZATTACHMENT SET ZCONTENTTEXT = 'see this', ZPHOTOLOCALIDENTIFIER = 'photo-1', ZIDENTIFIER = x'00ff10', ZCLOUDIDENTIFIER = 'cloud-1' WHERE Z_PK = 1"},
	})
	return []iosgen.File{homeFile("Library/CoreDuet/People/interactionC.db", db)}
}

// Calls returns CallHistory.storedata with a FaceTime call from a
// Triangulation address and a clean phone call.
func Calls() []iosgen.File {
	db := BuildDB([]string{
		`CREATE TABLE ZCALLRECORD ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER, ZCALLTYPE INTEGER, ZDISCONNECTED_CAUSE INTEGER, ZFACE_TIME_DATA INTEGER, ZNUMBER_AVAILABILITY INTEGER, ZORIGINATED INTEGER, ZREAD INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS BLOB, ZDEVICE_ID VARCHAR, ZISO_COUNTRY_CODE VARCHAR, ZLOCATION VARCHAR, ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR )`,
	}, []iosgen.Stmt{
		iosgen.Ins("ZCALLRECORD", "Z_PK, ZANSWERED, ZCALLTYPE, ZORIGINATED, ZDATE, ZDURATION, ZADDRESS, ZLOCATION, ZSERVICE_PROVIDER, ZUNIQUE_ID", 1, 0, 8, 0, AppleSec(At(time.Hour)), 0.0, []byte(TriangulationMail), "", "com.apple.FaceTime", "C-1"),
		iosgen.Ins("ZCALLRECORD", "Z_PK, ZANSWERED, ZCALLTYPE, ZORIGINATED, ZDATE, ZDURATION, ZADDRESS, ZLOCATION, ZSERVICE_PROVIDER, ZUNIQUE_ID", 2, 1, 1, 1, AppleSec(At(2*time.Hour)), 63.5, []byte("+41790000001"), "Switzerland", "com.apple.Telephony", "C-2"),
	})
	return []iosgen.File{homeFile("Library/CallHistoryDB/CallHistory.storedata", db)}
}

// Contacts returns AddressBook.sqlitedb with a contact holding a
// Triangulation address and a clean one.
func Contacts() []iosgen.File {
	db := BuildDB([]string{
		`CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT, FirstPhonetic TEXT, MiddlePhonetic TEXT, LastPhonetic TEXT, Organization TEXT, Department TEXT, Note TEXT, Kind INTEGER, Birthday TEXT, JobTitle TEXT, Nickname TEXT, Prefix TEXT, Suffix TEXT, FirstSort TEXT, LastSort TEXT, CreationDate INTEGER, ModificationDate INTEGER)`,
		`CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER, value TEXT, guid TEXT)`,
	}, []iosgen.Stmt{
		iosgen.Ins("ABPerson", "ROWID, First, Last, Organization, CreationDate, ModificationDate", 1, "Baguette", "", "", int64(AppleSec(At(time.Hour))), int64(AppleSec(At(time.Hour)))),
		iosgen.Ins("ABPerson", "ROWID, First, Last, Organization, CreationDate, ModificationDate", 2, "Ana", "Muster", "Example AG", int64(AppleSec(At(0))), int64(AppleSec(At(0)))),
		iosgen.Ins("ABMultiValue", "UID, record_id, property, identifier, label, value", 1, 1, 4, 0, 1, TriangulationMail),
		iosgen.Ins("ABMultiValue", "UID, record_id, property, identifier, label, value", 2, 2, 4, 0, 1, LookalikeMail),
		iosgen.Ins("ABMultiValue", "UID, record_id, property, identifier, label, value", 3, 2, 3, 0, 2, "+41790000001"),
		iosgen.Ins("ABMultiValue", "UID, record_id, property, identifier, label, value", 4, 2, 22, 0, 3, "https://"+QuaDreamDomain+"/me"),
	})
	return []iosgen.File{homeFile("Library/AddressBook/AddressBook.sqlitedb", db)}
}

const waGroup = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"
const waDump = "private/var/mobile/Containers/Shared/AppGroup/3B1F0A8E-5C7D-4E2A-9F60-12AB34CD56EF/"

// WhatsApp LID pair of the generated ChatStorage.sqlite.
const (
	WhatsAppLID      = "123456789012345@lid"
	WhatsAppLIDPhone = "41790000003@s.whatsapp.net"
)

// WhatsApp returns ChatStorage.sqlite (messages, a link preview and a
// media URL; a chat with messages, a chat known by LID whose messages are
// gone, a group; a LID pair, kept there as older versions do) and
// ContactsV2.sqlite.
func WhatsApp() []iosgen.File {
	chat := BuildDB([]string{
		`CREATE TABLE ZWAMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, ZCHATSESSION INTEGER, ZFROMJID TEXT, ZTOJID TEXT, ZTEXT TEXT, ZMESSAGEDATE REAL, ZMESSAGETYPE INTEGER, ZISFROMME INTEGER, ZMESSAGESTATUS INTEGER, ZSORT INTEGER, ZSTARRED INTEGER, ZSENTDATE REAL, ZSTANZAID VARCHAR, ZPUSHNAME BLOB )`,
		`CREATE TABLE ZWAMEDIAITEM ( Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZAUTHORNAME TEXT, ZMEDIAURL TEXT )`,
		`CREATE TABLE ZWAMESSAGEDATAITEM ( Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZCONTENT1 TEXT, ZCONTENT2 TEXT, ZMATCHEDTEXT TEXT, ZSUMMARY TEXT, ZTITLE TEXT )`,
		`CREATE TABLE ZWACHATSESSION ( Z_PK INTEGER PRIMARY KEY, ZCONTACTJID TEXT, ZPARTNERNAME TEXT, ZSESSIONTYPE INTEGER, ZARCHIVED INTEGER, ZREMOVED INTEGER, ZHIDDEN INTEGER, ZMESSAGECOUNTER INTEGER, ZLASTMESSAGEDATE REAL, ZGROUPINFO INTEGER )`,
		`CREATE TABLE ZWAGROUPINFO ( Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZCREATIONDATE REAL, ZCREATORJID TEXT )`,
		`CREATE TABLE ZWAPHONENUMBERLIDPAIR ( Z_PK INTEGER PRIMARY KEY, ZLID TEXT, ZPHONENUMBER TEXT, ZTIMESTAMP REAL )`,
	}, []iosgen.Stmt{
		iosgen.Ins("ZWACHATSESSION", "Z_PK, ZCONTACTJID, ZPARTNERNAME, ZSESSIONTYPE, ZMESSAGECOUNTER, ZLASTMESSAGEDATE", 1, "41790000001@s.whatsapp.net", "Ana", 0, 3, AppleSec(At(3*time.Hour))),
		iosgen.Ins("ZWACHATSESSION", "Z_PK, ZCONTACTJID, ZSESSIONTYPE, ZMESSAGECOUNTER, ZLASTMESSAGEDATE", 2, WhatsAppLID, 0, 2, AppleSec(At(6*time.Hour))),
		iosgen.Ins("ZWACHATSESSION", "Z_PK, ZCONTACTJID, ZPARTNERNAME, ZSESSIONTYPE, ZMESSAGECOUNTER, ZGROUPINFO", 3, "120363000000000001@g.us", "Book club", 1, 0, 1),
		iosgen.Ins("ZWAGROUPINFO", "Z_PK, ZCHATSESSION, ZCREATIONDATE, ZCREATORJID", 1, 3, AppleSec(At(-24*time.Hour)), "41790000001@s.whatsapp.net"),
		iosgen.Ins("ZWAPHONENUMBERLIDPAIR", "Z_PK, ZLID, ZPHONENUMBER, ZTIMESTAMP", 1, WhatsAppLID, WhatsAppLIDPhone, AppleSec(At(5*time.Hour))),
		iosgen.Ins("ZWAMESSAGE", "Z_PK, ZCHATSESSION, ZFROMJID, ZTEXT, ZMESSAGEDATE, ZMESSAGETYPE, ZISFROMME, Z_ENT, ZMESSAGESTATUS, ZSORT, ZSTARRED, ZSENTDATE, ZSTANZAID, ZPUSHNAME", 1, 1, "41790000001@s.whatsapp.net", "look at this "+PegasusURL, AppleSec(At(time.Hour)), 0, 0,
			9, 8, 101, 0, AppleSec(At(time.Hour)), "3EB0C767D71D", []byte("Ana \xff")),
		iosgen.Ins("ZWAMESSAGE", "Z_PK, ZCHATSESSION, ZTOJID, ZTEXT, ZMESSAGEDATE, ZMESSAGETYPE, ZISFROMME", 2, 1, "41790000001@s.whatsapp.net", "https://"+LookalikeDomain+"/ok", AppleSec(At(2*time.Hour)), 0, 1),
		iosgen.Ins("ZWAMESSAGE", "Z_PK, ZCHATSESSION, ZFROMJID, ZTEXT, ZMESSAGEDATE, ZMESSAGETYPE, ZISFROMME", 3, 1, "41790000001@s.whatsapp.net", nil, AppleSec(At(3*time.Hour)), 1, 0),
		iosgen.Ins("ZWAMESSAGEDATAITEM", "Z_PK, ZMESSAGE, ZCONTENT1, ZMATCHEDTEXT, ZTITLE", 1, 2, "https://"+QuaDreamDomain+"/preview", "https://"+LookalikeDomain+"/ok", "Preview"),
		iosgen.Ins("ZWAMEDIAITEM", "Z_PK, ZMESSAGE, ZAUTHORNAME, ZMEDIAURL", 1, 3, "Ana", "https://mmg.whatsapp.net/v/t62/abc.enc"),
	})
	contacts := BuildDB([]string{
		`CREATE TABLE ZWAADDRESSBOOKCONTACT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFULLNAME BLOB, ZGIVENNAME BLOB, ZLASTNAME BLOB, ZUSERNAME BLOB, ZBUSINESSNAME BLOB, ZPHONENUMBER BLOB, ZLOCALIZEDPHONENUMBER BLOB, ZWHATSAPPID BLOB, ZLID BLOB, ZABOUTTEXT BLOB, ZABOUTEMOJI BLOB, ZNOTES BLOB, ZDISAPPEARINGMODEDURATION REAL, ZDISAPPEARINGMODETIMESTAMP REAL, ZABOUTTIMESTAMP REAL, ZABOUTEXPIRATIONTIMESTAMP REAL, ZLASTUPDATED REAL, ZPHONESTATUS INTEGER, ZSYNCPOLICY INTEGER )`,
	}, []iosgen.Stmt{
		iosgen.Ins("ZWAADDRESSBOOKCONTACT", "Z_PK, ZFULLNAME, ZGIVENNAME, ZLASTNAME, ZUSERNAME, ZBUSINESSNAME, ZLOCALIZEDPHONENUMBER, ZABOUTEMOJI, ZNOTES, ZPHONESTATUS, ZSYNCPOLICY, ZPHONENUMBER, ZWHATSAPPID, ZABOUTTEXT, ZABOUTTIMESTAMP, ZABOUTEXPIRATIONTIMESTAMP, ZDISAPPEARINGMODEDURATION, ZDISAPPEARINGMODETIMESTAMP, ZLASTUPDATED", 1, []byte("Ana Muster"), []byte("Ana"), []byte("Muster"), []byte("ana.m"), []byte("Muster GmbH"), []byte("079 000 00 01"), []byte("\u2600"), []byte("met in Bern"), int64(1), int64(2), []byte("+41790000001"), []byte("41790000001@s.whatsapp.net"), []byte("see https://"+PegasusSubdomain+"/about"), AppleSec(At(20*time.Minute)), AppleSec(At(48*time.Hour)), 604800.0, AppleSec(At(30*time.Minute)), AppleSec(At(4*time.Hour))),
		// Bob switched disappearing messages off (duration 0, a time)
		iosgen.Ins("ZWAADDRESSBOOKCONTACT", "Z_PK, ZFULLNAME, ZPHONENUMBER, ZWHATSAPPID, ZLID, ZDISAPPEARINGMODEDURATION, ZDISAPPEARINGMODETIMESTAMP, ZLASTUPDATED", 2, []byte("Bob"), []byte("+41790000002"), []byte("41790000002@s.whatsapp.net"), []byte("200000000000002@lid"), 0.0, AppleSec(At(270*time.Minute)), AppleSec(At(5*time.Hour))),
	})
	return []iosgen.File{
		{Domain: waGroup, RelativePath: "ChatStorage.sqlite", Path: waDump + "ChatStorage.sqlite", Data: chat},
		{Domain: waGroup, RelativePath: "ContactsV2.sqlite", Path: waDump + "ContactsV2.sqlite", Data: contacts},
	}
}
