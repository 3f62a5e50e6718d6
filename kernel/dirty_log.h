/*
 * Dirty logging: which guest frames were written since the last harvest.
 * One interface (start, harvest, stop) over three back-ends, all driving
 * the guest's EPT:
 *
 *   ad   EPT accessed/dirty flags: a harvest scans the leaves for D and
 *        clears it (SDM Vol. 3C 29.3.5);
 *   pml  page-modification logging: the CPU logs each page whose D flag
 *        it sets; logs are drained into the log's pending set, and a
 *        harvest clears D only of the pages logged (SDM 29.3.6);
 *   wp   write protection: write permission is removed, the first write
 *        to a page exits, is recorded and gets write access back.
 *
 * ad and pml split 2 MiB leaves into 4 KiB while logging (one D flag per
 * page); every back-end merges them back when the log stops. Writes the
 * hypervisor itself makes into guest RAM are reported through
 * dirty_log_mark and appear in the next harvest whatever the back-end.
 *
 * Pure: the CPU side (INVEPT, the PML control and buffers) is reached
 * through struct dirty_hw_ops, so the host tests run every back-end
 * against a simulated CPU. Context: the main loop, with none of the
 * guest's vCPUs running (the hypervisor runs guests on its own CPU).
 */
#ifndef KERNEL_DIRTY_LOG_H
#define KERNEL_DIRTY_LOG_H

#include "arch/x86/ept.h"
#include "kernel/dirty_bitmap.h"
#include "lib/types.h"

enum dirty_mode {
	DIRTY_MODE_AD,
	DIRTY_MODE_PML,
	DIRTY_MODE_WP,
	DIRTY_MODE_COUNT,
};

/* What the CPU offers dirty logging (from struct vmx_caps). */
struct dirty_caps {
	bool ept_ad; /* EPT A/D flags, IA32_VMX_EPT_VPID_CAP bit 21, and in use in the EPTP */
	bool pml;    /* the "enable PML" secondary control can be 1 */
};

struct dirty_log;

struct dirty_hw_ops {
	/* drop the CPU's cached translations of the guest's EPT (INVEPT) */
	void (*invept)(void *ctx);
	/* PML on or off for every vCPU of the guest, in force from its next entry; 0 or -ENOMEM */
	int (*pml_set)(void *ctx, bool on);
	/* drain PML logs not yet drained into the log (dirty_log_pml_drained) */
	void (*pml_flush)(void *ctx, struct dirty_log *l);
	void *ctx;
};

struct dirty_stats {
	uint64_t harvests;
	uint64_t pages_last, pages_total; /* frames handed out by harvests */
	uint64_t pml_full_exits, pml_entries;
	uint64_t wp_exits;
	uint64_t host_writes; /* dirty_log_mark calls */
	uint64_t splits, merges;
};

struct dirty_log {
	bool active;
	enum dirty_mode mode;
	struct ept *ept;
	uint64_t ram_size;          /* guest RAM is [0, ram_size) */
	struct dirty_bitmap pending; /* recorded since the last harvest */
	struct dirty_hw_ops hw;
	struct dirty_stats stats;
};

/*
 * Set up an inactive log for a guest whose RAM [0, ram_size) is mapped by
 * ept; pending_words holds dirty_bitmap_words(ram_size / 4 KiB) words.
 */
void dirty_log_init(struct dirty_log *l, struct ept *ept, uint64_t ram_size,
		    uint64_t *pending_words, const struct dirty_hw_ops *hw);

/* "ad", "pml", "wp"; and back (-EINVAL for an unknown name). */
const char *dirty_mode_name(enum dirty_mode m);
int dirty_mode_parse(const char *s, enum dirty_mode *m);

/* Whether the CPU can run back-end m; why not in *why when it cannot. */
bool dirty_mode_supported(const struct dirty_caps *c, enum dirty_mode m, const char **why);

/* The cheapest back-end the CPU offers: pml, else ad, else wp. */
enum dirty_mode dirty_mode_choose(const struct dirty_caps *c);

/*
 * Start logging with back-end m. Pages written from now on appear in a
 * harvest. Returns 0, -EBUSY (already logging: nothing changed) or
 * -ENOMEM (out of table pages: the log stays off, mappings restored).
 * The caller checks dirty_mode_supported first.
 */
int dirty_log_start(struct dirty_log *l, enum dirty_mode m);

/*
 * Set in out (nframes >= the guest's) every frame written since start or
 * the previous harvest, and re-arm tracking for them. Returns the number
 * of frames this harvest found (some may already have been set in out),
 * or -EINVAL when not logging or the EPT walk failed (out may then hold
 * part of the set; nothing recorded is lost: it stays pending).
 */
int64_t dirty_log_harvest(struct dirty_log *l, struct dirty_bitmap *out);

/*
 * Stop logging and give the guest its full-speed mappings back (write
 * access everywhere, 2 MiB leaves merged, PML off). Pages still pending
 * are dropped: harvest first to keep them. Returns 0 or -EINVAL (not
 * logging).
 */
int dirty_log_stop(struct dirty_log *l);

/*
 * Harvest into out, then stop and start again with back-end m, so that
 * no page written before the switch is lost and tracking continues.
 */
int dirty_log_switch(struct dirty_log *l, enum dirty_mode m, struct dirty_bitmap *out);

/* The hypervisor wrote [gpa, gpa + len) of guest RAM itself. */
void dirty_log_mark(struct dirty_log *l, gpa_t gpa, uint64_t len);

/*
 * Record the entries of a PML log (pml.h) the CPU left with index idx;
 * full says it came from a log-full exit.
 */
void dirty_log_pml_drained(struct dirty_log *l, const uint64_t *log, uint16_t idx, bool full);

/*
 * A write to gpa hit a write-protected page. With the wp back-end and
 * gpa in RAM: record the page, give its write access back and return
 * true (the guest resumes and repeats the write; the EPT violation
 * itself invalidated the stale translation, SDM Vol. 3C 29.4.3.1).
 * Otherwise false: the fault is not the log's.
 */
bool dirty_log_write_fault(struct dirty_log *l, gpa_t gpa);

#endif
