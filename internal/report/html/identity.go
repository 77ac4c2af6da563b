package html

import (
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
)

// identityView is one input as the top of the report names it: what it is,
// which device, which system, when it was acquired, whether it is encrypted.
type identityView struct {
	Path  string
	Kind  string
	Facts []fact
}

type fact struct{ Label, Value string }

// identityKeys are the Input.Meta keys shown at the top, in this order;
// each has a label meta.<key> in the catalogs. The others are in the chain
// of custody.
var identityKeys = []string{
	"device_name", "product_type", "device_manufacturer", "device_model",
	"ios_version", "android_version", "build_version", "security_patch",
	"backup_date", "acquisition_completed", "encrypted", "backup_encryption",
}

func (v *view) identity(r *model.Report, c *i18n.Catalog) {
	for _, in := range r.Info.Inputs {
		iv := identityView{Path: in.Path, Kind: label(c, "input_kind.", in.Kind)}
		if in.Kind == "" { // not opened: missing, unrecognised, unreadable
			iv.Kind = c.T("input_kind.unread")
		}
		for _, k := range identityKeys {
			if val := in.Meta[k]; val != "" {
				iv.Facts = append(iv.Facts, fact{Label: label(c, "meta.", k), Value: metaValue(c, k, val)})
			}
		}
		v.Identity = append(v.Identity, iv)
	}
}

// metaValue shows a metadata value for people: yes/no for booleans, dates
// without their nanoseconds, encryption by its meaning.
func metaValue(c *i18n.Catalog, key, val string) string {
	switch strings.ToLower(val) {
	case "true":
		return c.T("value.yes")
	case "false":
		return c.T("value.no")
	}
	if key == "backup_encryption" && val == "none" {
		return c.T("value.no")
	}
	if k := "value." + strings.ReplaceAll(val, " ", "_"); c.Has(k) {
		return c.T(k)
	}
	if t, err := time.Parse(time.RFC3339Nano, val); err == nil {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return val
}

// metaRows lists every metadata of an input, labelled, sorted by key.
func metaRows(c *i18n.Catalog, meta map[string]string) []fact {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]fact, 0, len(keys))
	for _, k := range keys {
		out = append(out, fact{Label: label(c, "meta.", k), Value: metaValue(c, k, meta[k])})
	}
	return out
}

func (v *view) indicators(r *model.Report, c *i18n.Catalog) {
	v.IndicatorDate = r.Info.IndicatorDate()
	if r.Info.GeneratedAt.IsZero() {
		return
	}
	if age, ok := r.Info.IndicatorAge(r.Info.GeneratedAt); ok && age > model.StaleIndicators {
		v.StaleDays = int(age / (24 * time.Hour))
	}
}
