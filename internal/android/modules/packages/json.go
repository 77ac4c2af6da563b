package packages

import "github.com/spyscan/spyscan/internal/jsonenc"

// AppendJSON appends the package's record as json.Marshal writes it,
// without reflection (an acquisition lists thousands of packages, each
// with tens of permissions); TestPackageJSONAsMarshal holds it to
// json.Marshal.
func (p Package) AppendJSON(dst []byte) ([]byte, error) {
	o := jsonenc.Open(dst)
	o.String("package_name", p.PackageName)
	o.String("uid", p.UID)
	o.String("version_name", p.VersionName)
	o.String("version_code", p.VersionCode)
	o.String("code_path", p.CodePath)
	o.String("installer", p.Installer)
	o.Bool("system", p.System)
	o.Bool("disabled", p.Disabled)
	o.String("timestamp", p.Timestamp)
	o.String("first_install_time", p.FirstInstallTime)
	o.String("last_update_time", p.LastUpdateTime)
	o.StringsOmitEmpty("granted_runtime_permissions", p.GrantedPermissions)
	o.Key("permissions")
	if p.Permissions == nil {
		o.B = append(o.B, "null"...)
	} else {
		o.B = append(o.B, '[')
		for i, pm := range p.Permissions {
			if i > 0 {
				o.B = append(o.B, ',')
			}
			o.B = pm.appendJSON(o.B)
		}
		o.B = append(o.B, ']')
	}
	o.Strings("requested_permissions", p.RequestedPermissions)
	return o.Close()
}

// MarshalJSON writes MVT's object: name, granted (true, false or null;
// absent for a declared permission), type.
func (p Permission) MarshalJSON() ([]byte, error) { return p.appendJSON(nil), nil }

func (p Permission) appendJSON(dst []byte) []byte {
	o := jsonenc.Open(dst)
	o.String("name", p.Name)
	if p.Type != PermDeclared {
		o.Key("granted")
		switch p.Granted {
		case GrantedTrue:
			o.B = append(o.B, "true"...)
		case GrantedFalse:
			o.B = append(o.B, "false"...)
		default:
			o.B = append(o.B, "null"...)
		}
	}
	o.String("type", p.Type)
	b, _ := o.Close() // no time or float: no error
	return b
}
