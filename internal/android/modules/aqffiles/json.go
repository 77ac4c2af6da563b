package aqffiles

import "github.com/spyscan/spyscan/internal/jsonenc"

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
	o.TimeOmitZero("changed_time", f.ChangedTime)
	o.TimeOmitZero("modified_time", f.ModifiedTime)
	o.TimeOmitZero("access_time", f.AccessTime)
	o.StringOmitEmpty("error", f.Error)
	o.StringOmitEmpty("context", f.Context)
	o.StringOmitEmpty("sha1", f.SHA1)
	o.StringOmitEmpty("sha256", f.SHA256)
	o.StringOmitEmpty("sha512", f.SHA512)
	o.StringOmitEmpty("md5", f.MD5)
	return o.Close()
}
