package modules_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/accessibility"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestAccessibilityGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kind  acquisition.Kind
		files map[string][]byte
	}{
		{"bugreport", acquisition.AndroidBugreport, androiddata.Bugreport(androiddata.Options{})},
		{"androidqf", acquisition.AndroidQF, androiddata.AndroidQF(androiddata.Options{})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := modtest.Run(t, accessibility.New(), tc.kind, tc.files)
			if err != nil {
				t.Fatal(err)
			}
			if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
				t.Error("stalkerware accessibility service not detected")
			}
			if len(res.Records) != 2 {
				t.Errorf("%d services", len(res.Records))
			}
			modtest.Golden(t, "accessibility."+tc.name, res)
		})
	}
}

func TestAccessibilityCutSection(t *testing.T) {
	files := map[string][]byte{"main_entry.txt": []byte("d.txt"),
		"d.txt": []byte("DUMP OF SERVICE accessibility:\nUser state[\n     Enabled services:{{com.a.b/com.a.b.S}}\n")}
	res, err := modtest.Run(t, accessibility.New(), acquisition.AndroidBugreport, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "d.txt") || len(res.Records) != 1 {
		t.Fatalf("errors %+v records %d", res.Errors, len(res.Records))
	}
}

func TestAccessibilityMissing(t *testing.T) {
	_, err := modtest.Run(t, accessibility.New(), acquisition.AndroidBugreport, map[string][]byte{"x.txt": nil})
	if err == nil {
		t.Fatal("want ErrNotFound")
	}
}

func FuzzAccessibilityParser(f *testing.F) {
	f.Add(androiddata.AccessibilityNew)
	f.Add(androiddata.AccessibilityOld)
	f.Add("installed services: {\n 0 : /\n 1 : a.b/\n}\nEnabled services:{{}{a/b}}")
	f.Fuzz(func(t *testing.T, s string) {
		var p accessibility.Parser
		for _, l := range strings.Split(s, "\n") {
			p.Line(l)
		}
		for _, sv := range p.Services {
			if !strings.HasPrefix(sv.Service, sv.PackageName+"/") {
				t.Fatalf("bad service %+v", sv)
			}
		}
	})
}

// Every list of services is read, in both forms dumpsys prints: a service
// binding, bound or crashed was enabled by the user, and is reported as
// enabled even when no "enabled" list names it; one installed for two users
// is one record.
func TestAccessibilityServiceStates(t *testing.T) {
	const section = `ACCESSIBILITY MANAGER (dumpsys accessibility)

User state[attributes:{id=0, currentUser=true
  mIsAutoclickEnabled = false
  }
  installed services: {
    0 : com.example.reader/.ReaderService
    1 : com.example.tool/.ToolService (A11yTool)
  }
  enabled services: {
  }
  binding services: {
  }
  bound services:{
    0 : com.example.bound/.BoundService
  }
  crashed services:{
    0 : com.example.crash/.CrashService
  }
  AccessibilityInputFilter:{
  }]
User state[
     attributes:{id=10, touchExplorationEnabled=false, installedServiceCount=1}
     Bound services:{Service[label=Reader, feedbackType[FEEDBACK_SPOKEN], capabilities=1, eventTypes=TYPES_ALL_MASK, notificationTimeout=100, requestA11yBtn=false]}
     Enabled services:{{com.example.reader/com.example.reader.ReaderService}}
     Binding services:{{com.example.binding/.BindingService}}
     Crashed services:{{com.example.crash2/.Service (A11yTool)}, {com.example.crash3/.Service}}
`
	var p accessibility.Parser
	for _, l := range strings.Split(section, "\n") {
		p.Line(l)
	}
	want := []accessibility.Service{
		{PackageName: "com.example.reader", Service: "com.example.reader/.ReaderService", Enabled: false},
		{PackageName: "com.example.tool", Service: "com.example.tool/.ToolService", Enabled: false},
		{PackageName: "com.example.bound", Service: "com.example.bound/.BoundService", Enabled: true},
		{PackageName: "com.example.crash", Service: "com.example.crash/.CrashService", Enabled: true},
		{PackageName: "com.example.reader", Service: "com.example.reader/com.example.reader.ReaderService", Enabled: true},
		{PackageName: "com.example.binding", Service: "com.example.binding/.BindingService", Enabled: true},
		{PackageName: "com.example.crash2", Service: "com.example.crash2/.Service", Enabled: true},
		{PackageName: "com.example.crash3", Service: "com.example.crash3/.Service", Enabled: true},
	}
	if !reflect.DeepEqual(p.Services, want) {
		t.Errorf("services\n got %+v\nwant %+v", p.Services, want)
	}
}
