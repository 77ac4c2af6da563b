// Package dumpsyssettings owns the bugreport settings module: the global,
// secure and system settings of every user (and the config settings) as
// the dumpstate's "DUMP OF SERVICE settings:" section prints them, under
// headings such as "SECURE SETTINGS (user 10)", one
// "_id:N name:KEY [pkg:PACKAGE] value:VALUE [default:D defaultSystemSet:B]
// [tag:T]" line per setting. Settings that weaken the phone when not at
// their safe value (Play Protect and package verification off,
// accessibility on...) are flagged, as aqf_settings does for androidqf.
package dumpsyssettings

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/dumpsys"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_settings"

// MaxSettings bounds the settings kept (a phone has a few thousand).
const MaxSettings = 100_000

// Setting is one setting of one user.
type Setting struct {
	Namespace string `json:"namespace"` // config, global, secure or system
	User      int    `json:"user"`
	Key       string `json:"key"`
	Value     string `json:"value"`
	Package   string `json:"package,omitempty"` // the package that set it
	Default   string `json:"default,omitempty"`
}

// Module is the bugreport settings module.
type Module struct {
	dumpmod.Module[*[]Setting]
}

// New returns the module. androidqf has its own settings_*.txt
// (aqf_settings), so this one reads bugreports only.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 1, module.Kinds(acquisition.AndroidBugreport)),
		dumpmod.Sections[*[]Setting]{New: newParser, Report: report})}
}

func newParser(*module.Input) (*[]Setting, dumpmod.Parser) {
	var p Parser
	out := &[]Setting{}
	return out, dumpmod.Parser{Match: dumpsys.IsService("settings"), Line: func(_ *dumpsys.Section, line []byte) {
		if s, ok := p.Line(string(line)); ok && len(*out) < MaxSettings {
			*out = append(*out, s)
		}
	}}
}

// Parser reads the settings section line by line; the zero Parser is
// ready to use.
type Parser struct {
	namespace string
	user      int
}

var headingRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(CONFIG|GLOBAL|SECURE|SYSTEM) SETTINGS \(user (\d+)\)$`)
})

// Line reads one line of the section: a heading sets the namespace and user
// of the settings after it; a setting line returns the setting. Other lines
// (versions, the history of changes) are skipped.
func (p *Parser) Line(line string) (Setting, bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "_id:") {
		if m := headingRE().FindStringSubmatch(line); m != nil {
			p.namespace = strings.ToLower(m[1])
			p.user, _ = strconv.Atoi(m[2])
		}
		return Setting{}, false // a heading, a version, the history of changes
	}
	if p.namespace == "" {
		return Setting{}, false
	}
	s, ok := parseSetting(line)
	s.Namespace, s.User = p.namespace, p.user
	return s, ok
}

// parseSetting reads "_id:N name:KEY [pkg:P] value:V [default:D
// defaultSystemSet:B] [tag:T]". A value may hold spaces: it runs to the
// next field the dump prints after it.
func parseSetting(line string) (Setting, bool) {
	var s Setting
	_, rest, ok := strings.Cut(line, " name:")
	if !ok {
		return s, false
	}
	vi := strings.Index(rest, " value:")
	if vi < 0 {
		return s, false
	}
	head, val := rest[:vi], rest[vi+len(" value:"):]
	s.Key = head
	if k, pkg, ok := strings.Cut(head, " pkg:"); ok {
		s.Key, s.Package = k, pkg
	}
	if i := strings.LastIndex(val, " tag:"); i >= 0 {
		val = val[:i]
	}
	if i := strings.LastIndex(val, " default:"); i >= 0 {
		s.Default = strings.TrimSuffix(strings.TrimSuffix(val[i+len(" default:"):], " defaultSystemSet:true"), " defaultSystemSet:false")
		val = val[:i]
	}
	s.Value = val
	return s, s.Key != "" && !strings.ContainsAny(s.Key, " \t")
}

// namespaceOf names where a setting lives in the finding's title: the
// namespace, and the user when it is not the phone's owner (user 0).
func namespaceOf(s Setting) string {
	if s.User == 0 {
		return s.Namespace
	}
	return s.Namespace + ":user_" + strconv.Itoa(s.User)
}

func report(ctx context.Context, _ *module.Input, rec *module.Recorder, d dumpmod.Dump, ss *[]Setting) error {
	for _, s := range *ss {
		rec.Record(s)
		w := module.Where{Artifact: d.Path, Label: i18n.M("android.what.setting"), Record: s}
		if fd, ok := known.SettingFinding(namespaceOf(s), s.Key, s.Value); ok {
			rec.Flag(fd.Level, w, fd.Title, fd.Reason, fd.Benign)
		}
		for _, app := range known.SettingApps(s.Key, s.Value) {
			w.Label = i18n.M("android.what.setting_app", "key", s.Key)
			rec.CheckAppID(app, w)
		}
	}
	return nil
}
