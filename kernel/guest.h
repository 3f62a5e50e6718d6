/*
 * Guests: lifecycle, RAM, devices and statistics. A guest owns its RAM
 * (2 MiB host blocks mapped by its EPT), its vCPU, and the devices of its
 * minimal PC. Guests that stop stay listed, with the reason, until a new
 * guest takes their name.
 */
#ifndef KERNEL_GUEST_H
#define KERNEL_GUEST_H

#include "arch/x86/ept.h"
#include "kernel/acpi_pm.h"
#include "kernel/guest_ram.h"
#include "kernel/guest_spec.h"
#include "kernel/guest_state.h"
#include "kernel/hpet.h"
#include "lib/types.h"
#include "kernel/pcdev.h"
#include "kernel/vcpu.h"
#include "kernel/vuart.h"
#include "lib/outq.h"

#define GUEST_MAX 8
#define GUEST_CHUNK MiB(2) /* RAM is allocated and mapped in 2 MiB blocks */
#define GUEST_LINE_MAX 160
#define GUEST_REASON_MAX 192
#define GUEST_OUT_QUEUE 4096 /* bytes of console lines a guest may have waiting */

enum guest_status { GUEST_RUNNING, GUEST_PAUSED, GUEST_STOPPED };

/* How the guest was started: from a saved state, or which loader booted it. */
enum guest_kind { GUEST_KIND_RESTORED, GUEST_KIND_MULTIBOOT, GUEST_KIND_LINUX };

struct guest {
	bool used;
	char name[GUEST_NAME_MAX];
	struct guest_spec spec;
	enum guest_status state;
	enum guest_kind kind;
	uint64_t ram_size;
	hpa_t *chunks;  /* host block backing each 2 MiB of guest RAM */
	uint32_t nchunks;
	hpa_t chunk_table; /* the page(s) holding chunks[] */
	unsigned chunk_table_order;
	struct ept ept;
	struct guest_ram ram;
	struct vcpu vcpu;
	struct vuart uart;
	char line[GUEST_LINE_MAX];
	size_t line_len;
	/* lines "[name] text" waiting for the console: a flooding guest fills only its own */
	struct outq out;
	char out_buf[GUEST_OUT_QUEUE];
	uint64_t out_dropped_reported;
	bool uart_yield; /* it polled a busy transmitter: end its slice (kernel/vio.c) */
	struct hpet hpet;  /* at 0xFED00000, interrupts by FSB to the vLAPIC */
	struct pcdev pc;   /* PIC, PIT, RTC, i8042 (kernel/pcdev.h) */
	struct acpi_pm pm; /* ACPI fixed hardware (not yet in the saved state: power-on values) */
	uint64_t unclaimed_io;
	bool exited;      /* ended itself through the exit port */
	uint32_t exit_status;
	char reason[GUEST_REASON_MAX]; /* why it stopped */
	bool release_pending; /* stopped; its memory goes back at the next guest_reap */
	bool reset_pending;   /* it asked for a reset; guest_reap boots it again */
	uint32_t resets;      /* reboots in place since it started */
	uint64_t started_ns, stopped_ns, run_ns;
	/* auto-converge (migrate/precopy.h): share of CPU time denied, and until when */
	uint32_t throttle_pct;
	uint64_t throttle_until; /* TSC */
};

/*
 * Allocate a guest for spec: a slot, RAM, EPT and vCPU, but no state yet;
 * it stays paused (not runnable) until guest_boot or guest_load_state
 * gives it one and the caller sets it running. Returns the guest, or
 * NULL with a message in err (nothing allocated then).
 */
struct guest *guest_alloc(const struct guest_spec *spec, char *err, size_t errlen);

/*
 * guest_alloc, with RAM the caller's nblocks 2 MiB blocks (from
 * physmem_alloc_pages(9), in guest-physical order) instead of fresh
 * ones: on success the guest owns them and frees them with itself; on
 * failure (NULL) they are still the caller's. For a migration's staged
 * memory, which then needs no copy while the guest is paused.
 */
struct guest *guest_alloc_adopt(const struct guest_spec *spec, const hpa_t *blocks,
				uint32_t nblocks, char *err, size_t errlen);

/* Release a guest that guest_alloc made and that never ran. */
void guest_free(struct guest *g);

/*
 * Boot: load the kernel and modules from the ESP and the machine state
 * it starts in. A Linux bzImage (its setup header says so) goes through
 * the Linux boot protocol, its modules concatenated as the initrd;
 * anything else through the multiboot loader. Returns 0 or an error with
 * a message in err.
 */
int guest_boot(struct guest *g, char *err, size_t errlen);

/* allocate + boot + run: the console's "guest start" and hv.cfg's guest lines. */
struct guest *guest_create(const struct guest_spec *spec, char *err, size_t errlen);

/*
 * Save the guest's whole state (CPU, devices, configuration; not RAM)
 * into s. The guest must not be running on the CPU (it never is when the
 * main loop calls this). Returns 0 or -EIO.
 */
int guest_save_state(struct guest *g, struct guest_state *s);

/*
 * Load s (a decoded record) into g, replacing its CPU and device state:
 * the one way a state gets in, for boot and restore alike. RAM is the
 * caller's business. Returns 0, or -EINVAL (RAM size differs) / -EIO
 * with a message in err.
 */
int guest_load_state(struct guest *g, const struct guest_state *s, char *err, size_t errlen);

/* The guest called name (running, paused or stopped), or NULL. */
struct guest *guest_find(const char *name);

/* Guest slot i (0 <= i < GUEST_MAX); check ->used. */
struct guest *guest_at(int i);

/*
 * Stop a guest for good; reason is kept for `guest list`. Safe inside an
 * exit handler: it only marks the guest, and guest_reap releases its
 * memory later from the run loop.
 */
void guest_stop(struct guest *g, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * A reset the guest asked for (i8042, port 0x92, the ACPI reset
 * register): like guest_stop, only a mark, safe in an exit handler; the
 * next guest_reap clears its RAM and boots its image again in place,
 * with the same name, RAM and devices at power-on state.
 */
void guest_request_reset(struct guest *g, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Release the memory of every guest stopped since the last call, and
 * reboot those that asked for a reset (run loop only). */
void guest_reap(void);

/* Pause / resume scheduling of a running guest. */
void guest_pause(struct guest *g);
void guest_resume(struct guest *g);

/* Whether the guest's console output is full for now (its UART then reports busy). */
bool guest_console_full(struct guest *g);

/* Byte the guest wrote to its UART: line-buffered to the console with its name. */
void guest_console_output(struct guest *g, uint8_t c);

/* Name of a kind ("linux", "multiboot", "restored"). */
const char *guest_kind_name(enum guest_kind k);

/* Name of a state ("running", ...). */
const char *guest_state_name(enum guest_status s);

/* Number of guests in state RUNNING. */
int guest_running_count(void);

#endif
