package module

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// TestIndicatorAlertTranslated checks that an indicator alert reads in each
// language for every indicator type: no "[key]" of a type the catalogs lack.
func TestIndicatorAlertTranslated(t *testing.T) {
	for _, typ := range match.AllTypes {
		for _, fams := range [][]model.Provenance{{{Family: "Pegasus"}}, {{Source: "no family"}}} {
			m := model.Match{Type: string(typ), Observed: "seen", Indicator: "ioc", Sources: fams}
			a := IndicatorAlert(m, Where{Label: i18n.M("what.value")})
			if !strings.Contains(a.Message, `"seen"`) || !strings.Contains(a.Message, `"ioc"`) {
				t.Errorf("%s: English message %q lacks the values", typ, a.Message)
			}
			for _, lang := range i18n.Languages() {
				got := i18n.Get(lang).Render(a.MessageMsg)
				if strings.Contains(got, "[") || strings.Contains(got, "{") {
					t.Errorf("%s in %s: %q", typ, lang, got)
				}
			}
		}
	}
}

// TestWhereLabel checks the label an indicator alert and its observable get:
// Label, or "Value" when there is none.
func TestWhereLabel(t *testing.T) {
	tests := []struct {
		w    Where
		want string
	}{
		{Where{Label: i18n.M("type.domain")}, "domain"},
		{Where{Label: i18n.M("ios.safari_history.what_url")}, "Safari history URL"},
		{Where{}, "Value"},
	}
	for _, tt := range tests {
		rec := NewRecorder("m", nil, nil)
		rec.observe(match.Domain, "x.example", tt.w)
		obs := rec.Observables()
		if len(obs) != 1 || obs[0].What != tt.want || i18n.English(obs[0].WhatMsg) != tt.want {
			t.Errorf("%+v: observables %+v, want label %q", tt.w, obs, tt.want)
		}
	}
}

// TestFlagFillsEnglish checks that a heuristic alert keeps its messages and
// their English renderings.
func TestFlagFillsEnglish(t *testing.T) {
	rec := NewRecorder("m", nil, nil)
	rec.Flag(model.Low, Where{Artifact: "a"}, i18n.M("literal", "text", "title"), i18n.M("what.value"), i18n.Msg{})
	rec.Event(model.Event{Event: "e", DescriptionMsg: i18n.M("type.ip")})
	res := rec.Result()
	a := res.Alerts[0]
	if a.Message != "title" || a.Reason != "Value" || a.Benign != "" || a.MessageMsg.Key != "literal" {
		t.Errorf("alert %+v", a)
	}
	if e := res.Timeline[0]; e.Description != "IP address" || e.DescriptionMsg.Key != "type.ip" {
		t.Errorf("event %+v", e)
	}
}
