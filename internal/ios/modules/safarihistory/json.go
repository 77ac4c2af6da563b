package safarihistory

import "github.com/spyscan/spyscan/internal/jsonenc"

// AppendJSON appends the visit as json.Marshal writes it, without
// reflection; TestVisitJSONAsMarshal holds it to json.Marshal.
func (v Visit) AppendJSON(dst []byte) ([]byte, error) {
	o := jsonenc.Open(dst)
	o.Int("item_id", v.ItemID)
	o.Int("visit_id", v.VisitID)
	o.String("url", v.URL)
	o.StringOmitEmpty("title", v.Title)
	o.String("time", v.Time)
	o.IntOmitEmpty("redirect_source", v.RedirectSource)
	o.IntOmitEmpty("redirect_destination", v.RedirectDestination)
	o.String("db", v.DB)
	return o.Close()
}
