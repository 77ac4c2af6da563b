package live

import (
	"strconv"
	"strings"
)

// FileEntry is one entry of files.json, with androidqf's keys.
type FileEntry struct {
	Path         string `json:"path"`
	Size         int64  `json:"size"`
	Mode         string `json:"mode"`
	UserID       int    `json:"user_id"`
	UserName     string `json:"user_name"`
	GroupID      int    `json:"group_id"`
	GroupName    string `json:"group_name"`
	ChangedTime  int64  `json:"changed_time"`
	ModifiedTime int64  `json:"modified_time"`
	AccessTime   int64  `json:"access_time"`
	Error        string `json:"error"`
	Context      string `json:"context"`
	SHA1         string `json:"sha1"`
	SHA256       string `json:"sha256"`
	SHA512       string `json:"sha512"`
	MD5          string `json:"md5"`
}

// fileFolders are listed (androidqf's list, without the whole "/").
var fileFolders = []string{"/sdcard/", "/system/", "/system_ext/", "/vendor/", "/cust/", "/product/", "/apex/",
	"/data/local/tmp/", "/data/media/0/", "/data/misc/radio/", "/data/vendor/secradio/", "/data/log/", "/tmp/"}

func (r *run) files() error {
	seen := map[string]bool{}
	out := []FileEntry{}
	for _, dir := range fileFolders {
		s, err := r.shell("find " + shq(dir) + " -type f -printf '%T@ %m %s %u %g %p\\n' 2>/dev/null")
		if err != nil {
			r.fail("files: "+dir, err)
			continue
		}
		for _, l := range lines(s) {
			if e, ok := ParseFindLine(l); ok && !seen[e.Path] {
				seen[e.Path] = true
				out = append(out, e)
			}
		}
	}
	return r.writeJSON("files.json", out)
}

// ParseFindLine parses "%T@ %m %s %u %g %p" (the path may hold spaces).
func ParseFindLine(l string) (FileEntry, bool) {
	f := strings.SplitN(l, " ", 6)
	if len(f) < 6 || !strings.HasPrefix(f[5], "/") {
		return FileEntry{}, false
	}
	e := FileEntry{Mode: f[1], UserName: f[3], GroupName: f[4], Path: f[5]}
	if t, err := strconv.ParseFloat(f[0], 64); err == nil {
		e.ModifiedTime = int64(t)
	}
	e.Size, _ = strconv.ParseInt(f[2], 10, 64)
	return e, true
}
