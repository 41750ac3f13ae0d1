/* SPDX-License-Identifier: Apache-2.0 */
/*
 * privs.c: the capabilities the long-running readers (plugin, netlink)
 * keep.  auditd starts plugins as root with every capability; driftwatch
 * needs only these, and drops the rest from its effective, permitted,
 * inheritable and bounding sets, so that a program it starts (auditctl for
 * scoped rules) cannot regain more either:
 *
 *   CAP_DAC_OVERRIDE    the database, which `serve` hands to its
 *                       unprivileged user, and runtime state and container
 *                       layers owned by other users
 *   CAP_SYS_PTRACE      /proc/PID/exe of other users' processes (live
 *                       attribution reads it)
 *   CAP_AUDIT_CONTROL   only with scoped_rules = yes (auditctl) or
 *                       `netlink --own` (giving the daemon role back)
 *
 * The uid stays 0: the database and configuration belong to root.
 * Capabilities needed only to open the input (CAP_AUDIT_READ for the
 * netlink multicast group) are used before privs_limit_reader() is called.
 */
#include <cap-ng.h>
#include "log.h"
#include "privs.h"
#include "xmalloc.h"

/*
 * Keeps only the capabilities listed above; audit_control: keep
 * CAP_AUDIT_CONTROL whatever the configuration says.  Without any
 * capability (not root, no ambient set) there is nothing to do.
 * Returns 0, or -1 with *cause (allocated).
 */
int
privs_limit_reader(const struct config *cfg, int audit_control, char **cause)
{
	const unsigned int	sets = CAPNG_EFFECTIVE | CAPNG_PERMITTED |
				    CAPNG_BOUNDING_SET;
	int			setpcap;

	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return (0);
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, sets, CAP_DAC_OVERRIDE, CAP_SYS_PTRACE,
	    -1) != 0 || ((audit_control || cfg->scoped_rules) &&
	    capng_update(CAPNG_ADD, sets, CAP_AUDIT_CONTROL) != 0)) {
		xasprintf(cause, "cannot compute the capabilities to keep");
		return (-1);
	}
	/* Narrowing the bounding set needs CAP_SETPCAP, which root has. */
	if (capng_apply(setpcap ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS) !=
	    0) {
		xasprintf(cause, "cannot drop capabilities");
		return (-1);
	}
	log_debug("capabilities kept: dac_override, sys_ptrace%s",
	    audit_control || cfg->scoped_rules ? ", audit_control" : "");
	return (0);
}
