package androiddata

// processesAndThreads is the dumpstate's PROCESSES AND THREADS block (toybox
// `ps -A -T -Z -O pri,nice,rtprio,sched,pcy,time`): the stalkerware app
// running with its threads (one named as Android names its own, with a
// space), its look-alike, and gatekeeperd (a stock daemon that clashes
// with an indicator).
const processesAndThreads = `LABEL                          USER           PID   TID  PPID     VSZ    RSS WCHAN            ADDR S PRI  NI RTPRIO SCH PCY     TIME CMD
u:r:init:s0                    root             1     1     0 10904216  9840 do_epoll_wait       0 S  19   0     -   0  fg 00:00:12 init
u:r:kernel:s0                  root             2     2     0       0      0 kthreadd            0 S  19   0     -   0  fg 00:00:00 kthreadd
u:r:system_server:s0           system        1402  1402     1 22123456 401234 do_epoll_wait      0 S  18  -2     -   0  fg 00:21:40 system_server
u:r:system_server:s0           system        1402  1410     1 22123456 401234 futex_wait_queue_me 0 S 29 -10     -   0  fg 00:00:03 Signal Catcher
u:r:untrusted_app:s0:c211,c256 u0_a211       4242  4242   690 15211000  98000 do_epoll_wait      0 S  29 -10     -   0  ta 00:01:02 com.ispyoo
u:r:untrusted_app:s0:c211,c256 u0_a211       4242  4251   690 15211000  98000 futex_wait_queue_me 0 S 29 -10     -   0  ta 00:00:00 Signal Catcher
u:r:untrusted_app:s0:c211,c256 u0_a211       4260  4260   690 14100000  61000 do_epoll_wait      0 S  19   0     -   0  bg 00:00:09 com.ispyoo:remo
u:r:untrusted_app:s0:c212,c256 u0_a212       4300  4300   690 14900000  88000 do_epoll_wait      0 S  19   0     -   0  bg 00:00:02 com.ispyoo.weath
u:r:gatekeeperd:s0             system        5120  5120     1 10900000   4100 binder_ioctl_write_read 0 S 19 0 -  0  fg 00:00:00 gatekeeperd
u:r:dumpstate:s0               shell        11201 11201 11190 10813000   3900                    0 R  19   0     -   0  fg 00:00:00 ps
`

// settingsSection is "dumpsys settings": Play Protect off and an
// accessibility service on in the owner's profile, accessibility off (the
// safe value) in a work profile, and the history lines the dump adds.
const settingsSection = `CONFIG SETTINGS (user 0)
_id:2 name:activity_manager/max_cached_processes pkg:android value:32
GLOBAL SETTINGS (user 0)
version: 213 
_id:41 name:adb_enabled pkg:android value:1 default:0 defaultSystemSet:true
_id:57 name:package_verifier_enable pkg:com.android.vending value:0 default:1 defaultSystemSet:true
_id:58 name:verifier_verify_adb_installs pkg:com.android.vending value:1 default:1 defaultSystemSet:true
_id:90 name:device_name pkg:com.android.settings value:Pixel 6 tag:null

historical operations
 epoch:1716213791000 type:update, setting:package_verifier_enable, value:0, package:com.android.vending
SECURE SETTINGS (user 0)
version: 213 
_id:12 name:accessibility_enabled pkg:com.android.settings value:1 default:0 defaultSystemSet:true
_id:13 name:enabled_accessibility_services pkg:com.android.settings value:com.ispyoo/com.ispyoo.AccessService
  History (accessibility_enabled)
    time:05-19 22:10:01.000 mode:update oldValue:0 newValue:1 package:com.android.settings
SYSTEM SETTINGS (user 0)
_id:3 name:screen_brightness pkg:android value:102 default:102 defaultSystemSet:true
SECURE SETTINGS (user 10)
_id:5 name:accessibility_enabled pkg:android value:0 tag:null
`

// mountinfo is a process's /proc/<pid>/mountinfo as a bugreport keeps it
// (FS/proc/<pid>/mountinfo): /system read-only, a Magisk-style tmpfs bound
// read-write over a system binary, and /vendor with noatime (allowed).
const mountinfo = `1 0 253:0 / / ro,relatime shared:1 - ext4 /dev/block/dm-0 ro,seclabel
20 1 253:2 / /vendor ro,noatime shared:3 - ext4 /dev/block/dm-2 ro,seclabel
21 1 253:5 / /system_ext ro,relatime shared:4 - ext4 /dev/block/dm-5 ro,seclabel
40 1 259:12 / /data rw,nosuid,nodev,noatime shared:20 - f2fs /dev/block/by-name/userdata rw,lazytime,seclabel
52 1 0:50 /magisk/su /system/bin/su rw,relatime - tmpfs magisk rw,seclabel,size=1000k
`
