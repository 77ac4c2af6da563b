package iosdata

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// cacheSchema is the CFNetwork Cache.db schema; withPartition adds the
// partition column of recent iOS versions.
func cacheSchema(withPartition bool) []string {
	part := ""
	if withPartition {
		part = ", partition TEXT"
	}
	return []string{
		"CREATE TABLE cfurl_cache_schema_version(schema_version INTEGER)",
		"INSERT INTO cfurl_cache_schema_version VALUES (202)",
		"CREATE TABLE cfurl_cache_response(entry_ID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, version INTEGER, hash_value INTEGER, storage_policy INTEGER, request_key TEXT UNIQUE, time_stamp NOT NULL DEFAULT CURRENT_TIMESTAMP" + part + ")",
		"CREATE TABLE cfurl_cache_blob_data(entry_ID INTEGER PRIMARY KEY, response_object BLOB, request_object BLOB, proto_props BLOB, user_info BLOB)",
		"CREATE TABLE cfurl_cache_receiver_data(entry_ID INTEGER PRIMARY KEY, isDataOnFS INTEGER, receiver_data BLOB)",
		"CREATE INDEX request_key_index ON cfurl_cache_response(request_key)",
		"CREATE INDEX time_stamp_index ON cfurl_cache_response(time_stamp)",
		"CREATE INDEX proto_props_index ON cfurl_cache_blob_data(entry_ID)",
		"CREATE INDEX receiver_data_index ON cfurl_cache_receiver_data(entry_ID)",
	}
}

func cacheDB(ctx context.Context, withPartition bool, urls []string, minute int) ([]byte, error) {
	stmts := cacheSchema(withPartition)
	for i, u := range urls {
		ts := sysBase.Add(-48*time.Hour + time.Duration(minute+i*7)*time.Minute).Format(time.DateTime)
		cols, vals := "version, hash_value, storage_policy, request_key, time_stamp", fmt.Sprintf("0, %d, 0, '%s', '%s'", int32(len(u)*7919+i), esc(u), ts)
		if withPartition {
			cols += ", partition"
			vals += ", NULL"
		}
		stmts = append(stmts, "INSERT INTO cfurl_cache_response("+cols+") VALUES ("+vals+")",
			fmt.Sprintf("INSERT INTO cfurl_cache_blob_data VALUES (%d, x'62706c6973743030', x'62706c6973743030', NULL, NULL)", i+1),
			fmt.Sprintf("INSERT INTO cfurl_cache_receiver_data VALUES (%d, 0, x'3c68746d6c3e')", i+1))
	}
	return iosgen.SQLite(ctx, stmts, nil)
}

func esc(s string) string { return strings.ReplaceAll(s, "'", "''") }

// CacheSafariPath and CacheStorePath are where the CacheFiles fixture puts
// its two Cache.db files in a dump.
const (
	CacheSafariPath = "private/var/mobile/Containers/Data/Application/5A1B2C3D-0000-4000-8000-00000000AAAA/Library/Caches/com.apple.mobilesafari/Cache.db"
	CacheStorePath  = "private/var/mobile/Library/Caches/com.apple.itunesstored/Cache.db"
)

// CacheFiles returns two Cache.db files (dumps only): Safari's, with a
// planted Pegasus URL and a look-alike, and the iTunes Store's in the older
// schema without the partition column.
func CacheFiles(ctx context.Context) ([]iosgen.File, error) {
	safari, err := cacheDB(ctx, true, []string{
		"https://www.apple.com/",
		"https://" + PegasusSubdomain2 + "/pixel.gif?id=81724",
		"https://" + LookalikeDomain + "/offers",
		"https://fonts.gstatic.com/s/roboto/v27/KFOmCnqEu92Fr1Mu4mxK.woff2",
	}, 0)
	if err != nil {
		return nil, err
	}
	store, err := cacheDB(ctx, false, []string{
		"https://init.itunes.apple.com/bag.xml?ix=6&os=14&locale=en_GB",
		"https://play.itunes.apple.com/WebObjects/MZPlay.woa/wa/accountSummary",
	}, 300)
	if err != nil {
		return nil, err
	}
	return []iosgen.File{{Path: CacheSafariPath, Data: safari}, {Path: CacheStorePath, Data: store}}, nil
}
