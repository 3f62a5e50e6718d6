/*
 * Snapshots in host memory: a guest's encoded state record and a copy of
 * its RAM, one per guest name. Restore rolls a guest back to its
 * snapshot (re-creating it if it has stopped); clone starts a new guest
 * from one. All of it runs from the main loop, between guest slices.
 */
#ifndef KERNEL_SNAPSHOT_H
#define KERNEL_SNAPSHOT_H

#include "kernel/guest.h"
#include "lib/types.h"

/* What a snapshot operation measured, for the console's reply. */
struct snapshot_info {
	uint64_t guest_tsc;    /* the guest's TSC in the snapshot */
	uint64_t ram_bytes;    /* RAM copied */
	uint32_t record_bytes; /* encoded state record, without RAM */
	uint64_t elapsed_tsc;  /* host TSC ticks the operation took */
};

/*
 * Take a snapshot of g (running or paused), replacing the one its name
 * had. Not enough memory leaves the old snapshot in place. Returns 0 or
 * -ENOMEM / -EIO with a message in err.
 */
int snapshot_take(struct guest *g, struct snapshot_info *info, char *err, size_t errlen);

/*
 * Roll the guest called name back to its snapshot: state and RAM. A
 * running or paused guest keeps its state (running, paused); a stopped
 * one is re-created and runs. Returns 0 or -ENOENT / -ENOMEM / -EINVAL /
 * -EBUSY with a message in err; on error nothing changed.
 */
int snapshot_restore(const char *name, struct snapshot_info *info, char *err, size_t errlen);

/*
 * Start a new guest called new_name from name's snapshot. Returns it, or
 * NULL with a message in err (nothing changed then).
 */
struct guest *snapshot_clone(const char *name, const char *new_name, struct snapshot_info *info,
			     char *err, size_t errlen);

/* Forget name's snapshot and free its memory. Returns 0 or -ENOENT. */
int snapshot_drop(const char *name);

/* Snapshot slot i (0 <= i < GUEST_MAX): its guest name, or NULL when unused. */
const char *snapshot_name_at(int i, struct snapshot_info *info);

#endif
