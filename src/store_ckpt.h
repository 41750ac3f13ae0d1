/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STORE_CKPT_H
#define STORE_CKPT_H

/* For store.c only: the WAL's checkpoints on a thread of their own. */
struct sqlite3;
struct store_ckpt;

struct store_ckpt *store_ckpt_start(const char *path, struct sqlite3 *writer);
void		 store_ckpt_committed(struct store_ckpt *);
void		 store_ckpt_stop(struct store_ckpt *, struct sqlite3 *writer);

#endif
