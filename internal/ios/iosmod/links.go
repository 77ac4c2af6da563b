package iosmod

import (
	"slices"
	"strings"
)

// Links returns the distinct links (http(s):// or www.) in a text, in order.
// It finds what `(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]{}]+` finds (the
// tests check it against that expression), without the regexp engine, which
// dominated the sms module's time on large sms.db files.
func Links(text string) []string {
	var out []string
	var seen map[string]bool
	for i := 0; i < len(text); i++ {
		if i > 0 && isWordByte(text[i-1]) {
			continue // \b: a link starts after a non-word character
		}
		n := linkPrefix(text[i:])
		if n == 0 {
			continue
		}
		end := i + n
		for end < len(text) && !isLinkStop(text[end]) {
			end++
		}
		if end == i+n {
			continue
		}
		l := strings.TrimRight(text[i:end], ".,;:!?")
		out, seen = appendNew(out, seen, l)
		i = end - 1
	}
	return out
}

// smallLinks is the number of links searched linearly for duplicates
// before a set is built: a message holds a few links, and a map per message
// cost more than the search.
const smallLinks = 16

// appendNew appends l to out unless out already holds it; seen is the set
// of out's links once out is longer than smallLinks (nil before).
func appendNew(out []string, seen map[string]bool, l string) ([]string, map[string]bool) {
	if seen == nil {
		if slices.Contains(out, l) {
			return out, nil
		}
		out = append(out, l)
		if len(out) > smallLinks {
			seen = make(map[string]bool, 2*len(out))
			for _, v := range out {
				seen[v] = true
			}
		}
		return out, seen
	}
	if !seen[l] {
		seen[l] = true
		out = append(out, l)
	}
	return out, seen
}

// linkPrefix returns the length of a case-insensitive "http://", "https://"
// or "www." at the start of s (0: none). Like the regexp's (?i), the "s" of
// https also matches U+017F (long s), its Unicode case fold.
func linkPrefix(s string) int {
	switch {
	case len(s) >= 4 && strings.EqualFold(s[:4], "www."):
		return 4
	case len(s) < 7 || !strings.EqualFold(s[:4], "http"):
		return 0
	case s[4:7] == "://":
		return 7
	case (s[4] == 's' || s[4] == 'S') && len(s) >= 8 && s[5:8] == "://":
		return 8
	case strings.HasPrefix(s[4:], "\u017f://"):
		return 4 + len("\u017f://")
	}
	return 0
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isLinkStop reports the bytes that end a link: ASCII white space (as the
// regexp's \s) and <>"'()[]{}. Bytes of multi-byte characters never stop it.
func isLinkStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\f', '\r', '<', '>', '"', '\'', '(', ')', '[', ']', '{', '}':
		return true
	}
	return false
}
