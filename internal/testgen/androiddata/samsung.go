package androiddata

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"time"
)

// sfsTime writes t as Samsung's framework log does: two-digit year and the
// phone's offset from GMT (here +02:00).
func sfsTime(t time.Time) string {
	return t.In(time.FixedZone("", 2*3600)).Format("06-01-02 (GMT-07:00) 15:04:05.000")
}

// SamsungSFSLogs returns the Samsung system framework logs androidqf copies
// from /data/log (logs/data/log/sfslog.N.gz): USB-debugging authorisations
// of the acquiring computer (HostADBKey), of an unknown computer
// (UnknownADBKey, allowed: flagged) and of a third key the user denied (not
// flagged), USB devices attached, USB state changes, and lines of other
// tags and shapes that are not events.
func SamsungSFSLogs() map[string][]byte {
	day := Acquired.Add(-36 * time.Hour)
	line := func(d time.Duration, level, tag, msg string) string {
		return fmt.Sprintf("%s 1498 %s %s: %s\n", sfsTime(day.Add(d)), level, tag, msg)
	}
	adb := func(d time.Duration, key string, state int, always bool) string {
		return line(d, "D", "AdbDebuggingManager", fmt.Sprintf("Logging key %s, state = %d, alwaysAllow = %v, lastConnectionTime = %d, authWindow = 604800000",
			key, state, always, day.Add(d).UnixMilli()))
	}
	older := line(0, "I", "SystemServer", "Entered the Android system server!") +
		line(time.Minute, "V", "UsbDeviceManager", "USB UEVENT: {SUBSYSTEM=android_usb, SEQNUM=5120, ACTION=change, USB_STATE=CONNECTED, DEVPATH=/devices/virtual/android_usb/android0}") +
		adb(2*time.Minute, adbKey("denied")+" guest@library-pc", 3, false)
	recent := line(0, "I", "UsbHostManager", "USB device attached: vidpid 04e8:6860 mfg/product/ver/serial SAMSUNG/SAMSUNG_Android/4.00/R58M12ABCDE hasAudio/HID/Storage: false/false/true") +
		line(time.Minute, "V", "UsbDeviceManager", "USB UEVENT: {SUBSYSTEM=android_usb, SEQNUM=5121, ACTION=change, USB_STATE=CONFIGURED, DEVPATH=/devices/virtual/android_usb/android0}") +
		adb(2*time.Minute, UnknownADBKey, 2, true) +
		"--------- beginning of a malformed line\n" +
		line(3*time.Minute, "D", "AdbDebuggingManager", "Logging key with no state") +
		line(4*time.Minute, "V", "UsbDeviceManager", "USB UEVENT: {SUBSYSTEM=android_usb, SEQNUM=5122}") +
		adb(time.Hour, HostADBKey, 2, false) +
		line(time.Hour+time.Minute, "I", "UsbHostManager", "USB device attached: vidpid 18d1:4ee7 mfg/product/ver Google/Pixel/1.00 hasAudio/HID/Storage: false/true/false")
	return map[string][]byte{
		"logs/data/log/sfslog.1.gz": gz(older),
		"logs/data/log/sfslog.0.gz": gz(recent),
	}
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}
