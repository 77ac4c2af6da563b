package idstatuscache

import "time"

func parseISO(s string) time.Time {
	t, _ := time.Parse("2006-01-02 15:04:05.000000", s)
	return t
}
