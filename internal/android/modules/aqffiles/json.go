package aqffiles

import (
	"time"

	"github.com/spyscan/spyscan/internal/jsonenc"
)

// AppendJSON appends the file entry as json.Marshal writes it, without
// reflection (an acquisition lists hundreds of thousands of files);
// TestFileJSONAsMarshal holds it to json.Marshal.
func (f File) AppendJSON(dst []byte) ([]byte, error) {
	o := jsonenc.Open(dst)
	o.String("path", f.Path)
	o.Int("size", f.Size)
	o.String("mode", f.Mode)
	o.Int("user_id", f.UserID)
	o.StringOmitEmpty("user_name", f.UserName)
	o.Int("group_id", f.GroupID)
	o.StringOmitEmpty("group_name", f.GroupName)
	// Most entries share two or three times: each is formatted once.
	var t times
	t.field(&o, "changed_time", f.ChangedTime)
	t.field(&o, "modified_time", f.ModifiedTime)
	t.field(&o, "access_time", f.AccessTime)
	o.StringOmitEmpty("error", f.Error)
	o.StringOmitEmpty("context", f.Context)
	o.StringOmitEmpty("sha1", f.SHA1)
	o.StringOmitEmpty("sha256", f.SHA256)
	o.StringOmitEmpty("sha512", f.SHA512)
	o.StringOmitEmpty("md5", f.MD5)
	return o.Close()
}

// times remembers the last time field appended to an object.
type times struct {
	t          time.Time
	start, end int // its value's bytes in the object; end 0: none
}

// field appends a time field unless t is zero: the bytes of the previous
// one when t is the same (== : the same instant in the same location, so
// formatted alike), else t formatted.
func (p *times) field(o *jsonenc.Object, k string, t time.Time) {
	if t.IsZero() {
		return
	}
	if p.end > 0 && t == p.t {
		o.B = jsonenc.Key(o.B, k)
		o.B = append(o.B, o.B[p.start:p.end]...)
		return
	}
	o.B = jsonenc.Key(o.B, k)
	start := len(o.B)
	var err error
	if o.B, err = jsonenc.Time(o.B, t); err != nil { // as Object.Time
		if o.Err == nil {
			o.Err = err
		}
		return
	}
	p.t, p.start, p.end = t, start, len(o.B)
}
