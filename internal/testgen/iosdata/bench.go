package iosdata

import (
	"context"
	"fmt"
	"strings"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// LargeCacheDB returns a Cache.db (dump path CacheSafariPath) with n cached
// responses, one in 1,000 a planted Pegasus URL, for benchmarks.
func LargeCacheDB(ctx context.Context, n int) (iosgen.File, error) {
	stmts := cacheSchema(true) // iosgen.SQLite runs them all in one transaction
	var b strings.Builder
	for i := 0; i < n; i++ {
		u := fmt.Sprintf("https://cdn%d.example.net/assets/%d/app.js?v=%d", i%97, i, i*7)
		if i%1000 == 999 {
			u = fmt.Sprintf("https://%s/p/%d", PegasusSubdomain2, i)
		}
		b.Reset()
		fmt.Fprintf(&b, "INSERT INTO cfurl_cache_response(version, hash_value, storage_policy, request_key, time_stamp, partition) VALUES (0, %d, 0, '%s', '2021-07-%02d 10:%02d:%02d', NULL)",
			i*31, u, 1+i%28, i%60, (i/60)%60)
		stmts = append(stmts, b.String())
	}
	data, err := iosgen.SQLite(ctx, stmts, nil)
	return iosgen.File{Path: CacheSafariPath, Data: data}, err
}

// LargeAnalyticsDB returns an analytics database (dump path
// AnalyticsNetPath) with n rows spread over hard_failures, soft_failures
// and notes (each keeps at most 1,000 rows, as on devices, so n <= 3,000),
// each a plist of about ten strings, one in 1,000 naming a Pegasus
// process, for benchmarks.
func LargeAnalyticsDB(ctx context.Context, n int) (iosgen.File, error) {
	rows := make([]analyticsRow, 0, n)
	for i := 0; i < n; i++ {
		proc := fmt.Sprintf("daemon%d", i%50)
		if i%1000 == 999 {
			proc = PegasusProcess2
		}
		table := []string{"hard_failures", "soft_failures", "notes"}[i%3]
		rows = append(rows, analyticsRow{table, int64(i), event("NetworkingAnalyticsTLSFailure", map[string]any{
			"process": proc, "host": fmt.Sprintf("api%d.example.com", i%200), "errorCode": int64(-9800 - i%10),
			"attributes": map[string]any{"sni": fmt.Sprintf("edge%d.example.org", i%30), "pid": uint64(100 + i%900)}})})
	}
	data, err := analyticsDB(ctx, false, rows)
	return iosgen.File{Path: AnalyticsNetPath, Data: data}, err
}
