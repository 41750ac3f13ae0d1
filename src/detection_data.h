/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DETECTION_DATA_H
#define DETECTION_DATA_H

/* rules/detection.yaml, embedded at build time (detection_data.c). */
struct detection_file {
	const char	*name;
	const char	*text;
};

extern const struct detection_file detection_files[];

#endif
