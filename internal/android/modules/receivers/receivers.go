// Package receivers owns the dumpsys receivers module: the broadcast
// receivers of the package service's Receiver Resolver Table, in every
// category (intent actions, MIME types, schemes), checked against app-id
// indicators. Receivers of incoming SMS, outgoing SMS and call state are how
// spyware intercepts messages and calls; they are reported at INFO.
package receivers

import (
	"context"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_receivers"

// Sensitive maps intercepting intent actions to what they let an app see.
var Sensitive = map[string]string{
	"android.provider.Telephony.NEW_OUTGOING_SMS": "android.broadcast.outgoing_sms",
	"android.provider.Telephony.SMS_RECEIVED":     "android.broadcast.incoming_sms",
	"android.intent.action.DATA_SMS_RECEIVED":     "android.broadcast.incoming_data_sms",
	"android.intent.action.PHONE_STATE":           "android.broadcast.phone_state",
	"android.intent.action.NEW_OUTGOING_CALL":     "android.broadcast.outgoing_calls",
}

// Module is the dumpsys receivers module.
type Module struct {
	dumpmod.Module[*dumpmod.Resolver]
}

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 2, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*dumpmod.Resolver]{New: newParser, Report: reportDump})}
}

// newParser returns a fresh state and its parser.
func newParser(*module.Input) (*dumpmod.Resolver, dumpmod.Parser) {
	r := &dumpmod.Resolver{Title: "Receiver Resolver Table:"}
	return r, dumpmod.OnService("package", r.Line)
}

// reportDump records what the pass parsed.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, r *dumpmod.Resolver) error {
	path := d.Path
	for _, e := range r.Entries {
		rec.Record(e)
		w := module.Where{Artifact: path, Label: i18n.M("android.what.receiver_app"), Record: e}
		if rec.CheckAppID(e.PackageName, w) {
			continue
		}
		if what, ok := Sensitive[e.Intent]; ok && dumpmod.IsAction(e.Category) {
			rec.Flag(model.Info, w, i18n.M("android.title.sms_receiver", "name", e.PackageName, "what", i18n.M(what), "component", e.Component),
				known.ReasonMsg(known.ReasonSMSReceiver), i18n.M("android.benign.sms_receiver"))
		}
	}
	return nil
}
