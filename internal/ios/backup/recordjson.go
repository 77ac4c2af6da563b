package backup

import "github.com/spyscan/spyscan/internal/jsonenc"

// AppendJSON appends the record as json.Marshal writes it, without
// reflection (the manifest module records every row of Manifest.db);
// TestRecordJSONAsMarshal holds it to json.Marshal.
func (r *Record) AppendJSON(dst []byte) ([]byte, error) {
	o := jsonenc.Open(dst)
	o.String("file_id", r.FileID)
	o.String("domain", r.Domain)
	o.String("relative_path", r.RelativePath)
	o.Int("flags", int64(r.Flags))
	o.Uint("mode", uint64(r.Mode))
	o.Int("size", r.Size)
	o.TimeOmitZero("birth", r.Birth)
	o.TimeOmitZero("modified", r.Modified)
	o.TimeOmitZero("status_change", r.StatusChange)
	o.IntOmitEmpty("protection_class", r.ProtectionClass)
	o.IntOmitEmpty("inode", r.InodeNumber)
	o.Int("uid", r.UserID)
	o.Int("gid", r.GroupID)
	o.StringOmitEmpty("target", r.Target)
	o.StringOmitEmpty("error", r.Err)
	return o.Close()
}
