package module

import (
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// Check looks v up in the indicators as an observed value of type t (one
// of match.ObservedTypes, each matched by its rule in match's table of
// types), stores it as an observable, and raises one alert per matching
// indicator. It returns true when something matched. Empty values are
// ignored. The CheckDomain, CheckURL, ... shorthands call it.
func (r *Recorder) Check(t match.Type, v string, w Where) bool {
	if strings.TrimSpace(v) == "" || r.index == nil {
		return false
	}
	look := match.Lookup(t)
	if look == nil {
		r.Note(i18n.M("module.note.unchecked_type", "type", string(t))) // a module bug; the value is not lost from the records
		return false
	}
	r.observe(t, v, w)
	ms := look(r.index, v)
	for i := range ms {
		r.Alert(IndicatorAlert(ms[i], w))
	}
	return len(ms) > 0
}

// CheckDomain checks a host name.
func (r *Recorder) CheckDomain(v string, w Where) bool { return r.Check(match.Domain, v, w) }

// CheckURL checks a URL (or a host with a path).
func (r *Recorder) CheckURL(v string, w Where) bool { return r.Check(match.URL, v, w) }

// CheckIP checks an IP address.
func (r *Recorder) CheckIP(v string, w Where) bool { return r.Check(match.IP, v, w) }

// CheckEmail checks an email address.
func (r *Recorder) CheckEmail(v string, w Where) bool { return r.Check(match.Email, v, w) }

// CheckProcess checks a process name (a path is reduced to its basename).
func (r *Recorder) CheckProcess(v string, w Where) bool { return r.Check(match.Process, v, w) }

// CheckPath checks a file path (path prefixes and file names).
func (r *Recorder) CheckPath(v string, w Where) bool { return r.Check(match.FilePath, v, w) }

// CheckFileHash checks a file hash (MD5, SHA-1 or SHA-256).
func (r *Recorder) CheckFileHash(v string, w Where) bool { return r.Check(match.FileSHA256, v, w) }

// CheckAppID checks an app identifier (Android package or iOS bundle id).
func (r *Recorder) CheckAppID(v string, w Where) bool { return r.Check(match.AppID, v, w) }

// CheckBundleID checks an app's bundle id both as an app id and as a
// process name: implants run under names shaped like bundle ids (Pegasus's
// com.apple.rapports.events is a process indicator), and MVT checks such
// clients against process indicators.
func (r *Recorder) CheckBundleID(v string, w Where) bool {
	hit := r.CheckAppID(v, w)
	return r.CheckProcess(v, w) || hit
}

// CheckAppCert checks an APK signing-certificate fingerprint.
func (r *Recorder) CheckAppCert(v string, w Where) bool { return r.Check(match.AppCertSHA256, v, w) }

// CheckTLSCert checks a TLS certificate fingerprint.
func (r *Recorder) CheckTLSCert(v string, w Where) bool { return r.Check(match.TLSCertSHA256, v, w) }

// CheckProfile checks a configuration-profile identifier.
func (r *Recorder) CheckProfile(v string, w Where) bool { return r.Check(match.Profile, v, w) }

// CheckAndroidProperty checks an Android property name.
func (r *Recorder) CheckAndroidProperty(v string, w Where) bool {
	return r.Check(match.AndroidProperty, v, w)
}

// CheckJA3 checks a JA3 fingerprint.
func (r *Recorder) CheckJA3(v string, w Where) bool { return r.Check(match.JA3, v, w) }

// CheckJA4 checks a JA4 fingerprint.
func (r *Recorder) CheckJA4(v string, w Where) bool { return r.Check(match.JA4, v, w) }

// IndicatorAlert builds the alert for one indicator hit.
func IndicatorAlert(m model.Match, w Where) model.Alert {
	typ := i18n.M("type." + m.Type)
	var msg i18n.Msg
	if fam := strings.Join(m.Families(), ", "); fam != "" {
		msg = i18n.M("alert.indicator", "what", w.label(), "observed", m.Observed, "families", fam,
			"type", typ, "indicator", m.Indicator)
	} else {
		msg = i18n.M("alert.indicator_no_family", "what", w.label(), "observed", m.Observed,
			"type", typ, "indicator", m.Indicator)
	}
	a := model.Alert{Level: LevelForMatch(m), MessageMsg: msg, Time: w.Time, Artifact: w.Artifact,
		Record: marshalRecord(w.Record), Match: &m}
	a.FillEnglish()
	return a
}

// LevelForMatch is the alert level of an indicator hit: CRITICAL for a
// direct hit, HIGH for a looser one (truncated process name, bare form of a
// "www." domain), MEDIUM for one term of an AND pattern.
func LevelForMatch(m model.Match) model.Level {
	switch {
	case m.Partial:
		return model.Medium
	case m.How == "truncated-name" || m.How == "www-bare":
		return model.High
	default:
		return model.Critical
	}
}
