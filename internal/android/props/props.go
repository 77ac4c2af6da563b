// Package props owns Android system properties as printed by getprop
// ("[name]: [value]"): parsing them, and the checks shared by the
// bugreport and androidqf getprop modules (property-name indicators and
// the security-patch age heuristic).
package props

import (
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Property is one system property.
type Property struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ParseLine reads "[name]: [value]". Values may be empty.
func ParseLine(line string) (Property, bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "[") {
		return Property{}, false
	}
	name, rest, ok := strings.Cut(line[1:], "]: [")
	if !ok || name == "" || !strings.HasSuffix(rest, "]") {
		return Property{}, false
	}
	return Property{Name: name, Value: rest[:len(rest)-1]}, true
}

// PatchMaxAge is how old a security patch may be before it is reported.
const PatchMaxAge = 6 * 31 * 24 * time.Hour

// Check records and checks the properties read from path. ref is when the
// acquisition was taken (the patch age is measured from it); zero uses now.
func Check(rec *module.Recorder, path string, ps []Property, ref time.Time) {
	if ref.IsZero() {
		ref = time.Now().UTC()
	}
	for _, p := range ps {
		rec.Record(p)
		w := module.Where{Artifact: path, Label: i18n.M("android.what.property"), Record: p}
		rec.CheckAndroidProperty(p.Name, w)
		if p.Name != "ro.build.version.security_patch" {
			continue
		}
		d, err := time.Parse("2006-01-02", strings.TrimSpace(p.Value))
		if err != nil {
			rec.Note(i18n.M("android.note.patch_level", "file", path, "value", p.Value))
			continue
		}
		if ref.Sub(d) > PatchMaxAge {
			rec.Flag(model.Medium, w,
				i18n.M("android.title.security_patch_old", "patch", p.Value, "acquired", ref.Format("2006-01-02")),
				known.ReasonMsg(known.ReasonOldPatch), i18n.M("android.benign.security_patch_old"))
		}
	}
}
