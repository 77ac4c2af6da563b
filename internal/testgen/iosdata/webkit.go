package iosdata

import (
	"fmt"
	"time"

	"howett.net/plist"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// Plist encodes v as a binary plist; it panics on a generator bug.
func Plist(v any) []byte {
	b, err := plist.Marshal(v, plist.BinaryFormat)
	if err != nil {
		panic(fmt.Sprintf("iosdata: plist: %v", err))
	}
	return b
}

// SessionResourceLog returns full_browsing_session_resourceLog.plist in
// Safari's container, with a redirect chain news → Pegasus domain and clean
// entries.
func SessionResourceLog() []iosgen.File {
	origin := func(o string) map[string]any { return map[string]any{"origin": o} }
	stats := []any{
		map[string]any{
			"PrevalentResourceOrigin":         "news.example.com",
			"topFrameUniqueRedirectsTo":       []any{origin(PegasusSubdomain)},
			"topFrameUniqueRedirectsFrom":     []any{origin("t.example.net")},
			"subresourceUnderTopFrameOrigins": []any{origin("cdn.example.com")},
			"hadUserInteraction":              true,
			"lastSeen":                        At(time.Minute),
			"mostRecentUserInteraction":       At(time.Minute),
		},
		map[string]any{
			"PrevalentResourceOrigin":      LookalikeDomain,
			"subframeUnderTopFrameOrigins": []any{origin("www.example.org")},
			"hadUserInteraction":           false,
			"lastSeen":                     At(2 * time.Minute),
		},
	}
	data := Plist(map[string]any{"version": uint64(1), "browsingStatistics": stats})
	rel := "Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist"
	return []iosgen.File{{Domain: "AppDomain-com.apple.mobilesafari", RelativePath: rel,
		Path: "private/var/mobile/Containers/Data/Application/6A1B0C1D-0E0F-4A1B-8C2D-3E4F5A6B7C8D/" + rel, Data: data}}
}

// ObservationsSchema is WebKit's ResourceLoadStatistics observations.db
// schema (the tables the module reads).
var ObservationsSchema = []string{
	`CREATE TABLE ObservedDomains (domainID INTEGER PRIMARY KEY, registrableDomain TEXT NOT NULL UNIQUE ON CONFLICT FAIL, lastSeen REAL NOT NULL, hadUserInteraction INTEGER NOT NULL, mostRecentUserInteractionTime REAL NOT NULL, grandfathered INTEGER NOT NULL, isPrevalent INTEGER NOT NULL, isVeryPrevalent INTEGER NOT NULL, dataRecordsRemoved INTEGER NOT NULL,timesAccessedAsFirstPartyDueToUserInteraction INTEGER NOT NULL, timesAccessedAsFirstPartyDueToStorageAccessAPI INTEGER NOT NULL,isScheduledForAllButCookieDataRemoval INTEGER NOT NULL)`,
	`CREATE TABLE TopFrameUniqueRedirectsTo (sourceDomainID INTEGER NOT NULL, toDomainID INTEGER NOT NULL, FOREIGN KEY(sourceDomainID) REFERENCES ObservedDomains(domainID) ON DELETE CASCADE, FOREIGN KEY(toDomainID) REFERENCES ObservedDomains(domainID) ON DELETE CASCADE)`,
	`CREATE TABLE TopFrameUniqueRedirectsFrom (targetDomainID INTEGER NOT NULL, fromDomainID INTEGER NOT NULL, FOREIGN KEY(targetDomainID) REFERENCES ObservedDomains(domainID) ON DELETE CASCADE, FOREIGN KEY(fromDomainID) REFERENCES ObservedDomains(domainID) ON DELETE CASCADE)`,
	`CREATE TABLE SubresourceUniqueRedirectsTo (subresourceDomainID INTEGER NOT NULL, lastUpdated REAL NOT NULL, toDomainID INTEGER NOT NULL)`,
}

// ObservationsDB builds observations.db: news.example.com redirects to the
// Pegasus domain, plus a look-alike and filler domains.
func ObservationsDB(filler int) []byte { return BuildDB(ObservationsSchema, ObservationsRows(filler)) }

// ObservationsRows are the rows of ObservationsDB.
func ObservationsRows(filler int) []iosgen.Stmt {
	dom := func(id int, d string, at time.Time) iosgen.Stmt {
		return iosgen.Ins("ObservedDomains", "domainID, registrableDomain, lastSeen, hadUserInteraction, mostRecentUserInteractionTime, grandfathered, isPrevalent, isVeryPrevalent, dataRecordsRemoved, timesAccessedAsFirstPartyDueToUserInteraction, timesAccessedAsFirstPartyDueToStorageAccessAPI, isScheduledForAllButCookieDataRemoval",
			id, d, float64(at.Unix()), 1, float64(at.Unix()), 0, 0, 0, 0, 1, 0, 0)
	}
	st := []iosgen.Stmt{
		dom(1, "example.com", At(0)),
		dom(2, PegasusDomain, At(time.Second)),
		dom(3, LookalikeDomain, At(time.Hour)),
		iosgen.Ins("TopFrameUniqueRedirectsTo", "sourceDomainID, toDomainID", 1, 2),
		iosgen.Ins("TopFrameUniqueRedirectsFrom", "targetDomainID, fromDomainID", 2, 1),
	}
	for k := 0; k < filler; k++ {
		st = append(st, dom(4+k, fmt.Sprintf("site%d.example.org", k), At(time.Duration(k)*time.Second)))
		if k > 0 {
			st = append(st, iosgen.Ins("TopFrameUniqueRedirectsTo", "sourceDomainID, toDomainID", 3+k, 4+k))
		}
	}
	return st
}

// Observations returns observations.db in an app's WebKit folder.
func Observations(filler int) []iosgen.File {
	rel := "Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db"
	return []iosgen.File{{Domain: "AppDomain-com.google.chrome.ios", RelativePath: rel,
		Path: "private/var/mobile/Containers/Data/Application/0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0/" + rel, Data: ObservationsDB(filler)}}
}

// IDStatusCache returns the identity-services lookup cache: a lookup of a
// Triangulation address, an entry with two NUL bytes, and clean ones.
func IDStatusCache() []iosgen.File {
	e := func(at time.Time, status uint64) map[string]any {
		return map[string]any{"IDStatus": status, "LookupDate": AppleSec(at)}
	}
	data := Plist(map[string]any{
		"com.apple.madrid": map[string]any{
			"mailto:" + TriangulationMail:      e(At(time.Hour), 1),
			"mailto:" + LookalikeMail:          e(At(2*time.Hour), 1),
			"tel:+41790000001":                 e(At(3*time.Hour), 2),
			"mailto:x\x00\x00y@icloud.example": e(At(4*time.Hour), 1),
		},
		"com.apple.private.alloy.facetime.multi": map[string]any{
			"tel:+41790000001": e(At(5*time.Hour), 1),
		},
		"LastSaveDate": AppleSec(At(6 * time.Hour)),
	})
	return []iosgen.File{{Domain: "HomeDomain", RelativePath: "Library/Preferences/com.apple.identityservices.idstatuscache.plist",
		Path: "private/var/mobile/Library/Preferences/com.apple.identityservices.idstatuscache.plist", Data: data}}
}
