package modules_test

import (
	"encoding/binary"
	"github.com/spyscan/spyscan/internal/android/adbkey"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/adbstate"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestADBStateGolden(t *testing.T) {
	modtest.GoldenCases(t, adbstate.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Low, false, "user@unknown-pc") {
			t.Error("unknown computer not flagged")
		}
		modtest.NoAlertMentions(t, res, "analyst@forensics-laptop")
		if len(res.Records) != 2 || len(res.Timeline) != 2 {
			t.Errorf("records %d events %d", len(res.Records), len(res.Timeline))
		}
	})
}

func TestADBStateNoHostKnown(t *testing.T) {
	files := map[string][]byte{"dumpsys.txt": []byte("DUMP OF SERVICE adb:\n{\n  debugging_manager={\n    user_keys=" +
		androiddata.HostADBKey + "\n\n  }\n}\n--------- 0.001s was the duration of dumpsys adb, ending at: 2024-03-21 11:07:22\n")}
	res, err := modtest.Run(t, adbstate.New(), acquisition.AndroidQF, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Alerts) != 1 || res.Alerts[0].Level != model.Info {
		t.Fatalf("%+v", res.Alerts)
	}
}

func TestADBStateCut(t *testing.T) {
	modtest.CutSection(t, adbstate.New(), "DUMP OF SERVICE adb:", "{\n  debugging_manager={\n    user_keys=QUJD user@x\n")
}

func FuzzADBStateParser(f *testing.F) {
	f.Add("    last_key_received=AA\n    user_keys=QUJD a@b\nQUJE c@d\n\n    <adbKey key=\"QUJD a@b\" lastConnection=\"1628501829898\" />\n")
	f.Add("user_keys=\n!!!\nkeystore=ABX\x00\x01<adbKey key=\"\" lastConnection=\"99999999999999999999\"")
	f.Fuzz(func(t *testing.T, s string) {
		var p adbstate.Parser
		for _, l := range strings.Split(s, "\n") {
			p.Line(l)
		}
		for _, k := range p.Keys {
			if k.Valid != (k.Fingerprint != "") {
				t.Fatal(k)
			}
		}
	})
}

// The multi-line user_keys value ends where the dump's structure resumes
// (MVT #842): only key lines are keys, whatever follows them.
func TestADBStateUserKeysEnd(t *testing.T) {
	host, _, _ := strings.Cut(androiddata.HostADBKey, " ")
	other, _, _ := strings.Cut(androiddata.UnknownADBKey, " ")
	cases := []struct {
		name  string
		after string // lines right after the two key lines
	}{
		{"empty line", "\n    connected_to_adb=true\n"},
		{"name=value", "    connected_to_adb=true\n    tls_port=0\n"},
		{"nested block", "    adb_wifi={\n      enabled=false\n    }\n"},
		{"empty value", "    system_keys=\n    keystore=\n"},
		{"empty value that is base64", "    abcd=\n    true\n"},
		{"closing brace", "}\nother={\n  value=true\n}\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p adbstate.Parser
			text := "debugging_manager={\n    user_keys=" + androiddata.HostADBKey + "\n" + androiddata.UnknownADBKey + "\n" + c.after
			for _, l := range strings.Split(text, "\n") {
				p.Line(l)
			}
			if len(p.Keys) != 2 || p.Keys[0].Key != host || p.Keys[1].Key != other {
				t.Fatalf("keys %+v", p.Keys)
			}
			for _, k := range p.Keys {
				if !k.Valid || k.User == "" {
					t.Errorf("key %+v", k)
				}
			}
		})
	}
}

// abxKeyStore writes a keystore as AdbDebuggingManager does on Android 12
// and later: <keyStore version="1"><adbKey key="..." lastConnection="..."/>
// ...</keyStore> in Android's binary XML (BinaryXmlSerializer: "ABX\0",
// then one byte per event, token in the low nibble and type in the high
// one; names interned as a 16-bit index, 0xFFFF and the UTF string the
// first time; strings as a 16-bit length and UTF-8; longs as 8 bytes,
// big-endian).
func abxKeyStore(keys []string, last []int64) []byte {
	const (
		attribute, startDoc, endDoc, startTag, endTag = 15, 0, 1, 2, 3
		typeNull, typeString, typeInterned            = 1 << 4, 2 << 4, 3 << 4
		typeInt, typeLong                             = 6 << 4, 8 << 4
	)
	b := []byte("ABX\x00")
	pool := map[string]int{}
	utf := func(s string) { b = binary.BigEndian.AppendUint16(b, uint16(len(s))); b = append(b, s...) }
	interned := func(s string) {
		if i, ok := pool[s]; ok {
			b = binary.BigEndian.AppendUint16(b, uint16(i))
			return
		}
		pool[s] = len(pool)
		b = binary.BigEndian.AppendUint16(b, 0xffff)
		utf(s)
	}
	b = append(b, startDoc|typeNull, startTag|typeInterned)
	interned("keyStore")
	b = append(b, attribute|typeInt)
	interned("version")
	b = binary.BigEndian.AppendUint32(b, 1)
	for i, k := range keys {
		b = append(b, startTag|typeInterned)
		interned("adbKey")
		b = append(b, attribute|typeString)
		interned("key")
		utf(k)
		b = append(b, attribute|typeLong)
		interned("lastConnection")
		b = binary.BigEndian.AppendUint64(b, uint64(last[i]))
		b = append(b, endTag|typeInterned)
		interned("adbKey")
	}
	b = append(b, endTag|typeInterned)
	interned("keyStore")
	return append(b, endDoc|typeNull)
}

// A keystore in binary XML (Android 12+) holds its keys whole between
// binary tokens: they are read whether the dump kept the bytes or replaced
// those that are not UTF-8, and whatever lines the binary longs cut it
// into (a lastConnection holding 0x0a). The acquiring computer's key is
// told from the other one as for text keystores.
func TestABXKeystore(t *testing.T) {
	host, _, _ := strings.Cut(androiddata.HostADBKey, " ")
	other, otherUser, _ := strings.Cut(androiddata.UnknownADBKey, " ")
	abx := abxKeyStore([]string{androiddata.HostADBKey, androiddata.UnknownADBKey}, []int64{1716213791000, 0x0a0a0a0a0a0a})
	for _, shape := range []struct {
		name string
		body string
	}{
		{"bytes kept", string(abx)},
		{"non-UTF-8 replaced", strings.ToValidUTF8(string(abx), "\uFFFD")},
	} {
		t.Run(shape.name, func(t *testing.T) {
			dump := "DUMP OF SERVICE adb:\n{\n  debugging_manager={\n    connected_to_adb=true\n    last_key_received=" +
				adbkey.Parse(androiddata.HostADBKey).Fingerprint + "\n    user_keys=" + androiddata.UnknownADBKey +
				"\n    keystore=" + shape.body + "\n  }\n}\n--------- 0.001s was the duration of dumpsys adb, ending at: 2024-05-20 14:03:11\n"
			var p adbstate.Parser
			for _, l := range strings.Split(dump, "\n") {
				p.Line(l)
			}
			if len(p.Keys) != 2 || p.Keys[0].Key != other || p.Keys[0].User != otherUser || p.Keys[1].Key != host ||
				!p.Keys[0].Valid || !p.Keys[1].Valid || p.Keys[1].User == "" || p.Keys[1].Source != "dumpsys keystore" {
				t.Fatalf("keys %+v", p.Keys)
			}
			// Only in the binary keystore: the other computer is flagged.
			dump = strings.Replace(dump, "    user_keys="+androiddata.UnknownADBKey+"\n", "", 1)
			res, err := modtest.Run(t, adbstate.New(), acquisition.AndroidBugreport, map[string][]byte{
				"main_entry.txt": []byte("dumpstate.txt\n"), "dumpstate.txt": []byte("== dumpstate: 2024-05-20 14:03:11\n" + dump)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) != 2 {
				t.Errorf("%d records", len(res.Records))
			}
			modtest.WantAlert(t, res, model.Low, false, otherUser)
			modtest.NoAlertMentions(t, res, adbkey.Parse(androiddata.HostADBKey).User)
		})
	}
}
