package iosdata

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// sfAnalyticsSchema is the Security framework's analytics schema; older
// iOS versions also have all_events and lack notes.
func sfAnalyticsSchema(old bool) []string {
	ring := func(t string) []string {
		return []string{
			"CREATE TABLE IF NOT EXISTS " + t + " (\nid INTEGER PRIMARY KEY AUTOINCREMENT,\ntimestamp REAL,data BLOB\n)",
			"CREATE TRIGGER IF NOT EXISTS maintain_ring_buffer_" + t + "_v2 AFTER INSERT ON " + t + "\nBEGIN\nDELETE FROM " + t + " WHERE id <= NEW.id - 1000;\nEND",
		}
	}
	var s []string
	s = append(s, ring("hard_failures")...)
	s = append(s, ring("soft_failures")...)
	if old {
		s = append(s, ring("all_events")...)
	} else {
		s = append(s, ring("notes")...)
	}
	return append(s,
		"CREATE TABLE IF NOT EXISTS samples (\nid INTEGER PRIMARY KEY AUTOINCREMENT,\ntimestamp REAL,\nname STRING,\nvalue REAL\n)",
		"CREATE TABLE IF NOT EXISTS success_count (\nevent_type STRING PRIMARY KEY,\nsuccess_count INTEGER,\nhard_failure_count INTEGER,\nsoft_failure_count INTEGER\n)",
		"CREATE TABLE metadata (key STRING PRIMARY KEY, value BLOB)",
	)
}

type analyticsRow struct {
	table string
	sec   int64 // seconds after sysBase
	data  map[string]any
}

func analyticsDB(ctx context.Context, old bool, rows []analyticsRow) ([]byte, error) {
	stmts := sfAnalyticsSchema(old)
	for _, r := range rows {
		b := Plist(r.data)
		ts := float64(sysBase.Unix()+r.sec) + 0.25
		stmts = append(stmts, fmt.Sprintf("INSERT INTO %s(timestamp, data) VALUES (%f, x'%s')", r.table, ts, hex.EncodeToString(b)))
	}
	stmts = append(stmts,
		"INSERT INTO samples(timestamp, name, value) VALUES (1626255000.5, 'ckks_keychain_items', 412)",
		"INSERT INTO success_count VALUES ('SecTrustEvaluate', 1811, 2, 7)")
	return iosgen.SQLite(ctx, stmts, nil)
}

func event(typ string, extra map[string]any) map[string]any {
	m := map[string]any{"eventType": typ, "eventClass": uint64(2), "build": "18F72", "product": "iPhone OS",
		"modelid": "iPhone12,1", "SFAnalyticsEventTime": uint64(sysBase.UnixMilli())}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// Analytics database paths of the fixture.
const (
	AnalyticsTrustPath = "private/var/Keychains/Analytics/trust_analytics.db"
	AnalyticsNetPath   = "private/var/Keychains/Analytics/networking_analytics.db"
)

// Analytics returns two analytics databases (dumps only): the networking
// one in the recent schema, with a planted Pegasus process and domain in a
// failure's plist, and the trust one in the older schema (with
// all_events), with clean look-alikes.
func Analytics(ctx context.Context) ([]iosgen.File, error) {
	net, err := analyticsDB(ctx, false, []analyticsRow{
		{"hard_failures", 60, event("NetworkingAnalyticsTLSFailure", map[string]any{
			"process": PegasusProcess2, "host": PegasusSubdomain2, "errorCode": int64(-9807),
			"attributes": map[string]any{"sni": PegasusDomain, "pid": uint64(412)}})},
		{"soft_failures", 120, event("NetworkingAnalyticsDNSTimeout", map[string]any{
			"process": "nsurlsessiond", "host": "init.itunes.apple.com"})},
		{"notes", 180, event("NetworkingAnalyticsNote", map[string]any{"detail": "connection reset by peer", "ratio": 0.5})},
	})
	if err != nil {
		return nil, err
	}
	trust, err := analyticsDB(ctx, true, []analyticsRow{
		{"hard_failures", -3600, event("SecTrustEvaluate", map[string]any{
			"process": LookalikeProcess, "url": "https://" + LookalikeDomain + "/ocsp"})},
		{"all_events", -1800, event("SecTrustEvaluate", map[string]any{
			"process": "trustd", "host": "ocsp.apple.com", "chain": []any{"Apple Root CA", "Apple IST CA 2 - G1"}})},
	})
	if err != nil {
		return nil, err
	}
	return []iosgen.File{{Path: AnalyticsNetPath, Data: net}, {Path: AnalyticsTrustPath, Data: trust}}, nil
}
