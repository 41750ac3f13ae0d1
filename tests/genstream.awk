# SPDX-License-Identifier: Apache-2.0
# genstream.awk: writes N synthetic but well-formed audit events (execve,
# openat, connect) for tests that need volume without ../shared.
#   awk -v n=1000 -v eoe=1 -v start=1795850000 -v serial=1 -f genstream.awk
BEGIN {
	if (n == "") n = 1000
	if (start == "") start = 1795850000
	if (serial == "") serial = 1
	for (i = 0; i < n; i++) {
		s = serial + i
		t = sprintf("%d.%03d", start + int(i / 1000), i % 1000)
		id = "msg=audit(" t ":" s "): "
		pid = 20000 + (i % 5000)
		k = i % 3
		if (k == 0) {
			print "type=SYSCALL " id "arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=" pid - 1 " pid=" pid " auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm=\"ls\" exe=\"/usr/bin/ls\" key=\"exec\""
			print "type=EXECVE " id "argc=2 a0=\"ls\" a1=\"/tmp/dir" i "\""
			print "type=CWD " id "cwd=\"/root\""
			print "type=PATH " id "item=0 name=\"/usr/bin/ls\" inode=1000 dev=fe:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"
			print "type=PATH " id "item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=1001 dev=fe:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"
			print "type=PROCTITLE " id "proctitle=6C73002F746D70"
		} else if (k == 1) {
			print "type=SYSCALL " id "arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=1 a2=241 a3=1b6 items=2 ppid=" pid - 1 " pid=" pid " auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm=\"sh\" exe=\"/usr/bin/dash\" key=\"write\""
			print "type=CWD " id "cwd=\"/tmp\""
			print "type=PATH " id "item=0 name=\"/tmp/\" inode=2 dev=fe:01 mode=041777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"
			print "type=PATH " id "item=1 name=\"/tmp/out." i "\" inode=" 5000 + i " dev=fe:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"
			print "type=PROCTITLE " id "proctitle=7368"
		} else {
			print "type=SYSCALL " id "arch=c000003e syscall=42 success=no exit=-111 a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=" pid - 1 " pid=" pid " auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=2 comm=\"curl\" exe=\"/usr/bin/curl\" key=\"net\""
			print "type=SOCKADDR " id "saddr=020000507F0000010000000000000000"
			print "type=PROCTITLE " id "proctitle=6375726C"
		}
		if (eoe)
			print "type=EOE " id
	}
}
