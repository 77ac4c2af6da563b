package androidgen

import (
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

// DemoPassword is the password of the generated encrypted backups.
const DemoPassword = "spyscan-demo"

// Telephony backup paths inside a backup.ab.
const (
	SMSBackupPath = "apps/com.android.providers.telephony/d_f/000000_sms_backup"
	MMSBackupPath = "apps/com.android.providers.telephony/d_f/000001_mms_backup"
)

// BackupContents returns the files of a generated backup.ab: the telephony
// provider's SMS and MMS backups with a planted Pegasus link
// (androiddata.PegasusDomain) and clean look-alikes, and a few other apps.
func BackupContents() []File {
	sms := []SMS{
		{Address: "+41790000001", Body: "Your parcel is waiting, confirm delivery: https://" + androiddata.PegasusDomain + "/track/38b1?x=1.", Date: "1716212591000", Type: "1", Read: "1",
			DateSent: "1716212590000", Status: "-1", Recipients: []string{"+41790000001"}},
		{Address: "+41790000002", Body: "Lunch at 12? Menu: https://" + androiddata.LookalikeDomain + "/menu (and www.example.org)", Date: "1716216191000", Type: "2", Read: "1"},
		{Address: "+41790000003", Body: "No links here.", Date: "1716219791000", Type: "1", Read: "0"},
	}
	mms := []MMS{
		{Date: "1716223391", MsgBox: "1", Recipients: []string{"+41790000004"}, Body: "Photos: http://downloads-free247.com/album",
			DateSent: "1716223390", MType: "132", V: "16", TrID: "tr-1", Read: "1", Addresses: []MMSAddress{{137, "+41790000004", 106}}, Charset: 106},
	}
	return []File{
		{Path: "apps/com.android.providers.telephony/_manifest", Data: []byte("1\ncom.android.providers.telephony\n34\n14\n")},
		{Path: SMSBackupPath, Data: ZlibJSON(sms)},
		{Path: MMSBackupPath, Data: ZlibJSON(mms)},
		{Path: "apps/com.android.providers.settings/k/settings", Data: []byte("settings backup\n")},
		{Path: "apps/com.example.notes/f/notes.txt", Data: []byte("shopping list\n")},
	}
}
