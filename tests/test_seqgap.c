/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of seqgap.c: lost serials, reordering, restarts, nodes. */
#include "seqgap.h"
#include "tap.h"

int
main(void)
{
	struct seqgap	*sg;
	uint64_t	 lost = 0, s;

	sg = seqgap_create();
	for (s = 100; s < 200; s++)
		lost += seqgap_see(sg, NULL, s);
	lost += seqgap_finish(sg);
	is_int(lost, 0, "a contiguous stream has no gaps");
	seqgap_free(sg);

	sg = seqgap_create();
	lost = 0;
	for (s = 1; s <= 10050; s++)
		if (s % 100 != 0)
			lost += seqgap_see(sg, NULL, s);
	lost += seqgap_finish(sg);
	is_int(lost, 100, "every missing serial is counted once");
	seqgap_free(sg);

	sg = seqgap_create();
	lost = 0;
	lost += seqgap_see(sg, NULL, 10);
	lost += seqgap_see(sg, NULL, 12);
	lost += seqgap_see(sg, NULL, 11);
	lost += seqgap_see(sg, NULL, 13);
	lost += seqgap_finish(sg);
	is_int(lost, 0, "a late serial fills its gap");
	seqgap_free(sg);

	sg = seqgap_create();
	lost = 0;
	for (s = 5000000; s < 5000010; s++)
		lost += seqgap_see(sg, NULL, s);
	for (s = 1; s < 10; s++)
		lost += seqgap_see(sg, NULL, s);
	lost += seqgap_finish(sg);
	is_int(lost, 0, "serials starting over (auditd restart) are no gap");
	seqgap_free(sg);

	sg = seqgap_create();
	lost = 0;
	lost += seqgap_see(sg, "a", 1);
	lost += seqgap_see(sg, "b", 500);
	lost += seqgap_see(sg, "a", 2);
	lost += seqgap_see(sg, "b", 502);
	lost += seqgap_finish(sg);
	is_int(lost, 1, "each node has its own serials");
	ok(seqgap_finish(sg) == 0, "finish does not count twice");
	seqgap_free(sg);
	seqgap_free(NULL);
	return (tap_done());
}
