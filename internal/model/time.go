package model

import "time"

// appleEpoch is 2001-01-01T00:00:00Z, the origin of Cocoa/Core Data timestamps.
var appleEpoch = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// FromAppleSeconds converts seconds since 2001-01-01 UTC (Core Data) to UTC.
// Values that are nanoseconds (iOS 11+ sms.db) are detected by size.
func FromAppleSeconds(v float64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	if v > 1e15 || v < -1e15 {
		v /= 1e9
	}
	sec := int64(v)
	nsec := int64((v - float64(sec)) * 1e9)
	return appleEpoch.Add(time.Duration(sec)*time.Second + time.Duration(nsec)).UTC()
}

// FromUnixSeconds converts seconds since 1970 (possibly fractional) to UTC.
func FromUnixSeconds(v float64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	sec := int64(v)
	return time.Unix(sec, int64((v-float64(sec))*1e9)).UTC()
}

// FromUnixMillis converts milliseconds since 1970 to UTC.
func FromUnixMillis(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// FromWebKitMicros converts microseconds since 1601-01-01 (Chrome) to UTC.
func FromWebKitMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	const delta = 11644473600 * 1e6
	return time.UnixMicro(v - delta).UTC()
}
