/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of input_netlink.c without a kernel: netlink messages become
 * the lines auditd gives a plugin; what is no record is skipped.
 */
#include <stdio.h>
#include <string.h>

#include "input_netlink.h"
#include "tap.h"

static const char *
fmt(int type, const char *text, size_t len, size_t size)
{
	static char	buf[512];
	size_t		n;

	n = input_netlink_format(type, text, len, buf, size);
	if (n == 0)
		return (NULL);
	if (n != strlen(buf))
		return ("(length does not match)");
	return (buf);
}

int
main(void)
{
	const char	*sc = "audit(1795851000.123:42): arch=c000003e syscall=59";
	const char	 nul[] = "audit(1.2:3): a=1\n\0\0";
	const char	 mid[] = "audit(1.2:3): a=1\0junk";
	const char	 nl[] = "audit(1.2:3): a=1\nb=2";

	is_str(fmt(1300, sc, strlen(sc), 512),
	    "type=SYSCALL msg=audit(1795851000.123:42): arch=c000003e "
	    "syscall=59", "a SYSCALL record");
	is_str(fmt(1320, "audit(1.2:3): ", 14, 512),
	    "type=EOE msg=audit(1.2:3): ", "EOE is passed on");
	is_str(fmt(1399, "audit(1.2:3): x=1", 17, 512),
	    "type=UNKNOWN[1399] msg=audit(1.2:3): x=1",
	    "an unnamed type as auditd writes it");
	is_str(fmt(1300, nul, sizeof nul - 1, 512),
	    "type=SYSCALL msg=audit(1.2:3): a=1",
	    "trailing newline and NULs dropped");
	is_str(fmt(1300, mid, sizeof mid - 1, 512),
	    "type=SYSCALL msg=audit(1.2:3): a=1", "text ends at a NUL");
	is_str(fmt(1300, nl, sizeof nl - 1, 512),
	    "type=SYSCALL msg=audit(1.2:3): a=1 b=2",
	    "an inner newline cannot split the record");
	is_str(fmt(1300, sc, strlen(sc), 30), "type=SYSCALL msg=audit(179585",
	    "cut to the buffer");
	ok(fmt(1300, sc, strlen(sc), 8) == NULL, "no room even for the type");
	ok(fmt(2, "", 0, 512) == NULL, "netlink ack: no record");
	ok(fmt(1000, "", 0, 512) == NULL, "AUDIT_GET reply: no record");
	ok(fmt(1329, "\x01\x02", 2, 512) == NULL, "AUDIT_REPLACE probe: none");
	is_str(fmt(1100, "audit(1.2:3): pid=1 msg='op=x'", 30, 512),
	    "type=USER_AUTH msg=audit(1.2:3): pid=1 msg='op=x'",
	    "user space records relayed by the kernel");
	return (tap_done());
}
