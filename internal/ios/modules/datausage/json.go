package datausage

import "github.com/spyscan/spyscan/internal/jsonenc"

// AppendJSON appends the usage row as json.Marshal writes it, without
// reflection; TestUsageJSONAsMarshal holds it to json.Marshal.
func (u Usage) AppendJSON(dst []byte) ([]byte, error) {
	o := jsonenc.Open(dst)
	o.Int("proc_id", u.ProcID)
	o.String("proc_name", u.ProcName)
	o.StringOmitEmpty("bundle_id", u.BundleID)
	o.StringOmitEmpty("first_time", u.FirstTime)
	o.StringOmitEmpty("time", u.Time)
	o.IntOmitEmpty("live_id", u.LiveID)
	o.StringOmitEmpty("live_time", u.LiveTime)
	o.Float64("wifi_in", u.WifiIn)
	o.Float64("wifi_out", u.WifiOut)
	o.Float64("wwan_in", u.WWANIn)
	o.Float64("wwan_out", u.WWANOut)
	o.BoolOmitEmpty("process_row_deleted", u.Deleted)
	o.String("db", u.DB)
	return o.Close()
}
