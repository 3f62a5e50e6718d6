/*
 * A guest's whole state as plain data: configuration, every vCPU register,
 * the FPU, and the state of each device model. No host pointers, no host
 * times: timer deadlines are kept relative to the guest's own TSC. This is
 * what a snapshot keeps and what migration sends; docs/guest-state.md
 * documents the binary encoding.
 *
 * Each module fills and consumes its own part (arch/x86/vcpu_state.c the
 * CPU, vlapic_state.c the local APIC, vuart.c the UART, guest.c the rest).
 * The encoder and decoder here are pure and strict: every length and count
 * is checked, and nothing is accepted that the encoder would not write.
 */
#ifndef KERNEL_GUEST_STATE_H
#define KERNEL_GUEST_STATE_H

#include "kernel/guest_spec.h"
#include "lib/types.h"

#define GUEST_STATE_MAGIC 0x53475648u /* "HVGS", little-endian */
#define GUEST_STATE_VERSION 6
#define GUEST_STATE_MAX_VCPUS 1      /* one vCPU per guest today; sections are per vCPU */
#define GUEST_STATE_FXSAVE_SIZE 512

/* One segment register as the VMCS holds it (SDM Vol. 3C 25.4.1). */
struct gs_segment {
	uint16_t selector;
	uint32_t limit;
	uint32_t ar; /* access rights in the VMCS format, bit 16 = unusable */
	uint64_t base;
};

enum gs_seg_index { GS_ES, GS_CS, GS_SS, GS_DS, GS_FS, GS_GS, GS_LDTR, GS_TR, GS_NSEG };

/* Architectural CPU state (SDM Vol. 3A 2.1-2.6, Vol. 3C 25.4). */
struct gs_cpu {
	uint64_t gpr[16]; /* by register number; [4] is RSP */
	uint64_t rip, rflags;
	struct gs_segment seg[GS_NSEG];
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
	uint64_t cr0, cr2, cr3, cr4, cr8; /* as the guest reads them */
	uint64_t dr[4], dr6, dr7;
	uint64_t efer, pat, debugctl;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t mtrr_def_type;
	uint64_t misc_enable; /* IA32_MISC_ENABLE, SDM Vol. 4 table 2-2 */
	uint64_t tsc_aux;     /* IA32_TSC_AUX, read by RDTSCP and RDPID */
	uint64_t tsc;        /* the guest's TSC when the state was taken */
	uint64_t tsc_adjust; /* IA32_TSC_ADJUST, SDM Vol. 3B 18.17.3 */
	uint64_t pdpte[4];   /* PAE paging's PDPTEs as last loaded (SDM Vol. 3C 25.4.2) */
	uint32_t interruptibility, activity;
	uint64_t pending_dbg;
	/* events: an exception queued by the hypervisor, and an event whose
	 * delivery a VM exit interrupted (SDM Vol. 3C 28.2.4) */
	uint8_t exception_pending, exception_vector, exception_has_error;
	uint32_t exception_error;
	uint32_t reinject_info, reinject_error, reinject_len;
	uint8_t halted, halted_with_if;
	uint8_t fxsave[GUEST_STATE_FXSAVE_SIZE] __attribute__((aligned(16)));
};

/* The local APIC (SDM Vol. 3A chapter 11); times relative to cpu.tsc. */
struct gs_lapic {
	uint32_t id;
	uint64_t apic_base;
	uint32_t tpr, svr, ldr, dfr, esr, esr_pending;
	uint32_t icr_lo, icr_hi;
	uint32_t lvt_timer, lvt_thermal, lvt_perf, lvt_lint0, lvt_lint1, lvt_error, lvt_cmci;
	uint32_t timer_initial, timer_divide;
	uint32_t irr[8], isr[8], tmr[8];
	uint8_t timer_armed;       /* a deadline is set */
	uint64_t timer_remaining;  /* guest TSC ticks until it fires */
	uint64_t timer_elapsed;    /* guest TSC ticks since the current count started */
	uint64_t timer_frac, timer_period, timer_period_rem;
	uint64_t tsc_deadline;     /* IA32_TSC_DEADLINE, an absolute guest TSC value */
	uint64_t tsc_hz, bus_hz;
	uint8_t nmi_pending; /* a self-NMI IPI not yet delivered */
};

/* The 16550 at COM1 (PC16550D register file and receive FIFO). */
struct gs_uart {
	uint8_t ier, iir, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	uint8_t rx[16];
	uint8_t rx_head, rx_count, thr_irq;
};

/* ------------------------------------------------------------------
 * PC devices (section GS_SEC_PC): the 8259A pair, the 8254 PIT with
 * port 0x61, the CMOS RTC, the i8042 and port 0x92. Times are guest TSC
 * ticks relative to cpu.tsc. Kept in one block so that other device
 * sections merge beside it.
 */
struct gs_vpic_chip {
	uint8_t irr, isr, imr, lines, elcr, vector_base, init_step, priority_add;
	uint8_t icw4_needed, single, auto_eoi, rotate_aeoi, read_isr, poll, special_mask, ready;
};

/*
 * One HPET timer (IA-PC HPET 1.0a 2.3.9): its writable configuration,
 * comparator, period and FSB route, and whether and in how many main
 * counter ticks it next matches.
 */
struct gs_hpet_timer {
	uint64_t config, comparator, period, fsb;
	uint8_t armed;
	uint64_t remaining; /* main-counter ticks until the match, when armed */
};

#define GS_HPET_TIMERS 3

/* The HPET (IA-PC HPET 1.0a 2.3): the main counter as it read at cpu.tsc. */
struct gs_hpet {
	uint64_t config, isr, counter;
	struct gs_hpet_timer timer[GS_HPET_TIMERS];
};

struct gs_vpic {
	struct gs_vpic_chip chip[2];
};

struct gs_vpit_channel {
	uint32_t count; /* 1-65536 */
	uint16_t latched_count;
	uint8_t count_latched, status_latched, status, read_state, write_state, write_latch;
	uint8_t rw_mode, mode, bcd, gate, null_count, loaded;
	uint64_t elapsed; /* guest TSC ticks since the count was loaded */
};

struct gs_vpit {
	struct gs_vpit_channel ch[3];
	uint8_t port61;        /* the writable bits of system control port B */
	uint8_t irq_armed;     /* an IRQ0 edge is due */
	uint64_t irq_remaining; /* guest TSC ticks until it (two's complement) */
};

struct gs_vrtc {
	uint8_t cmos[128];  /* registers A-D and RAM; 0-9 hold the time while SET */
	uint8_t index, nmi_masked;
	uint64_t seconds;   /* the clock, seconds since 1970-01-01 00:00 */
	uint64_t sub_ticks; /* guest TSC ticks into the current second */
};

struct gs_vkbc {
	uint8_t command_byte, out_buf, out_full, pending, output_port, port92;
};

struct gs_pc {
	struct gs_vpic pic;
	struct gs_vpit pit;
	struct gs_vrtc rtc;
	struct gs_vkbc kbc;
};
/* ---------------------------------------------------------- end PC devices */

/*
 * The ACPI fixed hardware (kernel/acpi_pm.h): PM1 enable and control as
 * the guest wrote them. The PM timer is derived from the guest's TSC.
 */
struct gs_acpi {
	uint16_t pm1_en, pm1_cnt;
};

#define GS_IOAPIC_PINS 24

/* The I/O APIC (kernel/vioapic.h): IOREGSEL, ID, redirection entries
 * (Remote IRR included) and the levels of its input pins. */
struct gs_ioapic {
	uint32_t id, sel, lines;
	uint64_t redir[GS_IOAPIC_PINS];
};

struct guest_state {
	struct guest_spec config; /* name, RAM size, image, command line, modules */
	uint64_t ram_size;        /* bytes of guest-physical RAM from address 0 */
	struct gs_cpu cpu;
	struct gs_lapic lapic;
	struct gs_uart uart;
	struct gs_hpet hpet;
	struct gs_pc pc; /* PC devices */
	struct gs_acpi acpi;
	struct gs_ioapic ioapic;
};

/* Section types of the encoding (docs/guest-state.md). */
enum gs_section {
	GS_SEC_CONFIG = 1,
	GS_SEC_CPU = 2,
	GS_SEC_FPU = 3,
	GS_SEC_LAPIC = 4,
	GS_SEC_UART = 5,
	/* 6 was the PIC's two mask registers (version 2), now in GS_SEC_PC */
	GS_SEC_XSAVE = 7, /* reserved: written once XSAVE is offered to guests */
	GS_SEC_HPET = 8,
	GS_SEC_PC = 16, /* PC devices: PIC, PIT, RTC, i8042 */
	GS_SEC_ACPI = 17, /* ACPI PM1 registers */
	GS_SEC_IOAPIC = 18,
	GS_SEC_END = 0xffff,
};

/* Upper bound of an encoded record, for buffers. */
#define GUEST_STATE_ENCODED_MAX 4096

/*
 * Encode s into buf (len bytes). Returns the encoded size, or -ENOSPC
 * when buf is too small. Pure; deterministic.
 */
int guest_state_encode(const struct guest_state *s, uint8_t *buf, size_t len);

/*
 * Decode len bytes into s. Returns 0, or -EINVAL / -EPROTO with a message
 * in err: bad magic, unknown version, truncated or over-long data, an
 * unknown, duplicate, missing or wrongly sized section, a checksum that
 * does not match, or values outside their range (names, counts, sizes).
 * On error s is left zeroed, never half-filled.
 */
int guest_state_decode(const uint8_t *buf, size_t len, struct guest_state *s,
		       char *err, size_t errlen);

#endif
