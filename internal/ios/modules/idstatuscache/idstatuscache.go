// Package idstatuscache owns the identity-services lookup cache
// (com.apple.identityservices.idstatuscache.plist): which phone numbers and
// email addresses iMessage and FaceTime looked up, and when. Email
// addresses are checked against the indicators; entries holding two NUL
// bytes are flagged, as seen in Pegasus' iMessage exploitation.
package idstatuscache

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Spec locates the cache.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/Preferences/com.apple.identityservices.idstatuscache.plist"},
	Dump: []string{
		"private/var/mobile/Library/Preferences/com.apple.identityservices.idstatuscache.plist",
		"private/var/mobile/Library/IdentityServices/idstatuscache.plist",
	},
}

// Module reads the cache.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("idstatuscache", 1, Spec)} }

// Entry is one lookup.
type Entry struct {
	Package     string `json:"package"`
	User        string `json:"user"` // NUL bytes written as \x00
	LookupDate  string `json:"lookup_date,omitempty"`
	IDStatus    int64  `json:"idstatus"`
	Occurrences int    `json:"occurrences"`
	File        string `json:"file"`
	lookup      time.Time
}

// Run reads every cache file.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachFile(ctx, in, rec, Spec, iosmod.MaxPlist, func(p string, data []byte) error {
		entries, err := Parse(data)
		if err != nil {
			return err
		}
		for _, e := range entries {
			e.File = p
			check(rec, e)
		}
		return nil
	})
}

// Parse reads the lookups of a cache, sorted by package then user.
func Parse(data []byte) ([]Entry, error) {
	v, err := iosmod.DecodePlist(data)
	if err != nil {
		return nil, err
	}
	root := iosmod.Dict(v)
	if root == nil {
		return nil, fmt.Errorf("not a dictionary")
	}
	var out []Entry
	count := map[string]int{}
	for pkg, x := range root {
		users := iosmod.Dict(x)
		for user, y := range users {
			d := iosmod.Dict(y)
			st, ok1 := iosmod.Num(d["IDStatus"])
			_, ok2 := d["LookupDate"]
			if !ok1 || !ok2 {
				continue
			}
			u := strings.ReplaceAll(user, "\x00", `\x00`)
			count[u]++
			t := iosmod.PlistTime(d["LookupDate"])
			out = append(out, Entry{Package: pkg, User: u, LookupDate: iosmod.ISO(t), IDStatus: int64(st), lookup: t})
		}
	}
	for i := range out {
		out[i].Occurrences = count[out[i].User]
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Package != out[j].Package {
			return out[i].Package < out[j].Package
		}
		return out[i].User < out[j].User
	})
	return out, nil
}

func check(rec *module.Recorder, e Entry) {
	rec.Record(e)
	t := e.lookup
	iosmod.Event(rec, t, "idstatus_lookup", i18n.M("ios.idstatuscache.event", "user", e.User, "package", e.Package, "status", strconv.FormatInt(int64(e.IDStatus), 10)), e.File)
	w := module.Where{Artifact: e.File, Time: t, Label: i18n.M("ios.idstatuscache.what_lookup"), Record: e}
	if email, ok := strings.CutPrefix(e.User, "mailto:"); ok {
		if rec.CheckEmail(strings.Trim(email, "'"), w) {
			return
		}
	}
	if strings.Contains(e.User, `\x00\x00`) {
		rec.Flag(model.High, w, i18n.M("ios.idstatuscache.nul.title", "user", e.User),
			i18n.M("ios.idstatuscache.nul.reason"), i18n.M("ios.idstatuscache.nul.benign"))
	}
}
