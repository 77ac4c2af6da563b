package suricata

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/eve"
	"github.com/spyscan/spyscan/internal/network/netsum"
)

type ruleKey struct {
	gid int
	sid int64
}

// Rule summarises every alert one Suricata rule raised.
type Rule struct {
	GID       int                 `json:"gid,omitempty"`
	SID       int64               `json:"signature_id"`
	Rev       int                 `json:"rev,omitempty"`
	Signature string              `json:"signature"`
	Category  string              `json:"category,omitempty"`
	Severity  int                 `json:"severity,omitempty"`
	Action    string              `json:"action,omitempty"`
	Metadata  map[string][]string `json:"metadata,omitempty"`
	Count     int                 `json:"alerts"`
	First     time.Time           `json:"first_seen,omitzero"`
	Last      time.Time           `json:"last_seen,omitzero"`
	Artifact  string              `json:"artifact"`
	Flow      string              `json:"first_flow,omitempty"` // "TCP 10.0.0.2:50000 -> 1.2.3.4:443"
	matched   bool                // an indicator named by the rule matched
}

// exported is an indicator value named in the metadata of a rule written
// by `spyscan iocs export --format suricata`.
type exported struct {
	typ, value string
	rule       *Rule
}

// Metadata keys of spyscan's exported rules.
const (
	metaType  = "spyscan_type"
	metaValue = "spyscan_value"
)

func (st *state) alert(ev *eve.Event, ts time.Time, file string) {
	a := ev.Alert
	st.addIP(ev.SrcIP, ts, file, "alert endpoint")
	st.addIP(ev.DestIP, ts, file, "alert endpoint")
	k := ruleKey{a.GID, a.SignatureID}
	r := st.rules[k]
	if r == nil {
		if len(st.rules) >= maxRules {
			return
		}
		r = &Rule{GID: a.GID, SID: a.SignatureID, Rev: a.Rev, Signature: a.Signature, Category: a.Category,
			Severity: a.Severity, Action: a.Action, Metadata: a.Metadata, First: ts, Last: ts, Artifact: file}
		if ev.SrcIP != "" {
			r.Flow = fmt.Sprintf("%s %s -> %s", ev.Proto, endpoint(ev.SrcIP, ev.SrcPort), endpoint(ev.DestIP, ev.DestPort))
		}
		st.rules[k] = r
		if ts, vs := a.Metadata[metaType], a.Metadata[metaValue]; len(ts) == 1 && len(vs) == 1 {
			st.spyscan = append(st.spyscan, exported{typ: ts[0], value: vs[0], rule: r})
		}
	}
	r.Count++
	if !ts.IsZero() {
		if r.First.IsZero() || ts.Before(r.First) {
			r.First = ts
		}
		if ts.After(r.Last) {
			r.Last = ts
		}
	}
}

func endpoint(ip string, port int) string {
	if port == 0 {
		return ip
	}
	if netsum.IsIP([]byte(ip)) && len(ip) > 0 && !isIPv4(ip) {
		return fmt.Sprintf("[%s]:%d", ip, port)
	}
	return fmt.Sprintf("%s:%d", ip, port)
}

func isIPv4(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return false
		}
	}
	return true
}

// level maps Suricata's severity (1 is the most severe) to spyscan's: a
// rule spyscan did not write says "look at this", not "spyware found".
func level(severity int) model.Level {
	if severity == 1 {
		return model.Medium
	}
	return model.Low
}

// reportRules records every rule's summary and raises one alert per rule,
// most severe first, except for spyscan's own rules whose indicator matched
// (that match is already an alert, with its provenance).
func (st *state) reportRules() {
	rules := make([]*Rule, 0, len(st.rules))
	for _, r := range st.rules {
		rules = append(rules, r)
	}
	slices.SortFunc(rules, func(a, b *Rule) int {
		return cmp.Or(cmp.Compare(sev(a.Severity), sev(b.Severity)), cmp.Compare(a.GID, b.GID), cmp.Compare(a.SID, b.SID))
	})
	alerted := 0
	for _, r := range rules {
		st.rec.Record(r)
		st.rec.Event(model.Event{Time: r.First, Event: "suricata_alert", Artifact: r.Artifact,
			DescriptionMsg: i18n.M("net.suricata.event", "sid", r.SID, "signature", r.Signature, "alerts", i18n.M("net.n_alerts", "n", r.Count))})
		if r.matched {
			continue
		}
		if alerted >= netsum.MaxHeuristicAlerts {
			st.rec.Note(i18n.M("net.note.suricata_rules_limit", "n", len(rules)-alerted, "max", netsum.MaxHeuristicAlerts))
			break
		}
		alerted++
		var ours i18n.Msg
		if len(r.Metadata[metaValue]) > 0 {
			ours = i18n.M("net.suricata.reason_spyscan")
		}
		times := i18n.M("net.n_times", "n", r.Count)
		st.rec.Flag(level(r.Severity), module.Where{Artifact: r.Artifact, Time: r.First, Label: i18n.M("net.what.suricata_alert"), Record: r},
			i18n.M("net.suricata.title", "signature", r.Signature, "sid", r.SID, "times", times),
			i18n.M("net.suricata.reason", "sid", r.SID, "category", orUnknown(r.Category), "times", times, "spyscan", ours),
			i18n.M("net.suricata.benign"))
	}
	if len(st.rules) >= maxRules {
		st.rec.Note(i18n.M("net.note.suricata_rules_many", "max", maxRules))
	}
}

// sev orders a missing severity after the real ones.
func sev(s int) int {
	if s <= 0 {
		return 1 << 20
	}
	return s
}

func orUnknown(s string) any {
	if s == "" {
		return i18n.M("net.suricata.no_category")
	}
	return s
}
