package resourceloadstats

import "github.com/spyscan/spyscan/internal/jsonenc"

// AppendJSON appends the domain as json.Marshal writes it, without
// reflection; TestRecordsJSONAsMarshal holds it to json.Marshal.
func (d Domain) AppendJSON(dst []byte) ([]byte, error) {
	o := jsonenc.Open(dst)
	o.Int("domain_id", d.ID)
	o.String("registrable_domain", d.RegistrableDomain)
	o.StringOmitEmpty("last_seen", d.LastSeen)
	o.Bool("had_user_interaction", d.HadUserInteraction)
	o.StringOmitEmpty("most_recent_user_interaction", d.MostRecentInteract)
	if d.MostRecentInteractTime != nil {
		o.Float64("most_recent_user_interaction_time", *d.MostRecentInteractTime)
	}
	if d.MostRecentPushTime != nil {
		o.Float64("most_recent_web_push_interaction_time", *d.MostRecentPushTime)
	}
	o.StringOmitEmpty("most_recent_web_push_interaction", d.MostRecentPush)
	o.StringOmitEmpty("app", d.App)
	o.String("db", d.DB)
	return o.Close()
}

// AppendJSON appends the redirect as json.Marshal writes it.
func (r Redirect) AppendJSON(dst []byte) ([]byte, error) {
	o := jsonenc.Open(dst)
	o.String("redirect_from", r.From)
	o.String("redirect_to", r.To)
	o.String("db", r.DB)
	return o.Close()
}
