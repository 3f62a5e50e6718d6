/*
 * The guest-state record's binary encoding. Pure: see guest_state.h and
 * docs/guest-state.md.
 *
 * One description of each section serves both directions (bhyve's
 * snapshot meta): a section function names its fields once, in order, and
 * the io walker either writes them out or reads them in, little-endian and
 * bounds-checked. The decoder then validates what it read.
 */
#include <stdarg.h>
#include <string.h>
#include "lib/crc32.h"
#include "lib/fmt.h"
#include "kernel/acpi_pm.h"
#include "kernel/guest_state.h"
#include "kernel/hpet.h"
#include "kernel/vioapic.h"

#define HEADER_SIZE 12  /* magic, version, flags, total length */
#define SECTION_HEAD 8  /* type, index, length */
#define END_PAYLOAD 4   /* CRC-32 of everything before it */

struct gs_io {
	uint8_t *buf;
	size_t len, pos;
	bool decode;
	bool short_data; /* ran past the end */
};

static void io_bytes(struct gs_io *io, void *p, size_t n)
{
	if (io->short_data || n > io->len - io->pos) {
		io->short_data = true;
		return;
	}
	if (io->decode)
		memcpy(p, io->buf + io->pos, n);
	else
		memcpy(io->buf + io->pos, p, n);
	io->pos += n;
}

/* An unsigned integer of size bytes, little-endian on the wire. */
static uint64_t io_uint(struct gs_io *io, uint64_t v, unsigned size)
{
	uint8_t b[8];
	unsigned i;

	for (i = 0; i < size; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	io_bytes(io, b, size);
	if (!io->decode || io->short_data)
		return v;
	for (v = 0, i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void io_u8(struct gs_io *io, uint8_t *v) { *v = (uint8_t)io_uint(io, *v, 1); }
static void io_u16(struct gs_io *io, uint16_t *v) { *v = (uint16_t)io_uint(io, *v, 2); }
static void io_u32(struct gs_io *io, uint32_t *v) { *v = (uint32_t)io_uint(io, *v, 4); }
static void io_u64(struct gs_io *io, uint64_t *v) { *v = io_uint(io, *v, 8); }

static void io_u32s(struct gs_io *io, uint32_t *v, size_t n)
{
	while (n--)
		io_u32(io, v++);
}

static void io_u64s(struct gs_io *io, uint64_t *v, size_t n)
{
	while (n--)
		io_u64(io, v++);
}

/* ---------------------------------------------------------------- sections */

static void config_fields(struct gs_io *io, struct guest_state *s)
{
	struct guest_spec *c = &s->config;
	uint32_t i;

	io_bytes(io, c->name, sizeof(c->name));
	io_bytes(io, c->file, sizeof(c->file));
	io_bytes(io, c->args, sizeof(c->args));
	io_u32(io, &c->mem_mib);
	io_u64(io, &s->ram_size);
	io_u32(io, &c->nmodules);
	for (i = 0; i < GUEST_MODULES_MAX; i++)
		io_bytes(io, c->modules[i], sizeof(c->modules[i]));
}

static void segment_fields(struct gs_io *io, struct gs_segment *sg)
{
	io_u16(io, &sg->selector);
	io_u32(io, &sg->limit);
	io_u32(io, &sg->ar);
	io_u64(io, &sg->base);
}

static void cpu_fields(struct gs_io *io, struct guest_state *s)
{
	struct gs_cpu *c = &s->cpu;
	int i;

	io_u64s(io, c->gpr, 16);
	io_u64(io, &c->rip);
	io_u64(io, &c->rflags);
	for (i = 0; i < GS_NSEG; i++)
		segment_fields(io, &c->seg[i]);
	io_u64(io, &c->gdtr_base);
	io_u32(io, &c->gdtr_limit);
	io_u64(io, &c->idtr_base);
	io_u32(io, &c->idtr_limit);
	io_u64(io, &c->cr0);
	io_u64(io, &c->cr2);
	io_u64(io, &c->cr3);
	io_u64(io, &c->cr4);
	io_u64(io, &c->cr8);
	io_u64s(io, c->dr, 4);
	io_u64(io, &c->dr6);
	io_u64(io, &c->dr7);
	io_u64(io, &c->efer);
	io_u64(io, &c->pat);
	io_u64(io, &c->debugctl);
	io_u64(io, &c->sysenter_cs);
	io_u64(io, &c->sysenter_esp);
	io_u64(io, &c->sysenter_eip);
	io_u64(io, &c->star);
	io_u64(io, &c->lstar);
	io_u64(io, &c->cstar);
	io_u64(io, &c->sfmask);
	io_u64(io, &c->kernel_gs_base);
	io_u64(io, &c->mtrr_def_type);
	io_u64(io, &c->misc_enable);
	io_u64(io, &c->tsc_aux);
	io_u64(io, &c->tsc);
	io_u64(io, &c->tsc_adjust);
	io_u64s(io, c->pdpte, 4);
	io_u32(io, &c->interruptibility);
	io_u32(io, &c->activity);
	io_u64(io, &c->pending_dbg);
	io_u8(io, &c->exception_pending);
	io_u8(io, &c->exception_vector);
	io_u8(io, &c->exception_has_error);
	io_u32(io, &c->exception_error);
	io_u32(io, &c->reinject_info);
	io_u32(io, &c->reinject_error);
	io_u32(io, &c->reinject_len);
	io_u8(io, &c->halted);
	io_u8(io, &c->halted_with_if);
}

static void fpu_fields(struct gs_io *io, struct guest_state *s)
{
	io_bytes(io, s->cpu.fxsave, sizeof(s->cpu.fxsave));
}

static void lapic_fields(struct gs_io *io, struct guest_state *s)
{
	struct gs_lapic *l = &s->lapic;

	io_u32(io, &l->id);
	io_u64(io, &l->apic_base);
	io_u32(io, &l->tpr);
	io_u32(io, &l->svr);
	io_u32(io, &l->ldr);
	io_u32(io, &l->dfr);
	io_u32(io, &l->esr);
	io_u32(io, &l->esr_pending);
	io_u32(io, &l->icr_lo);
	io_u32(io, &l->icr_hi);
	io_u32(io, &l->lvt_timer);
	io_u32(io, &l->lvt_thermal);
	io_u32(io, &l->lvt_perf);
	io_u32(io, &l->lvt_lint0);
	io_u32(io, &l->lvt_lint1);
	io_u32(io, &l->lvt_error);
	io_u32(io, &l->lvt_cmci);
	io_u32(io, &l->timer_initial);
	io_u32(io, &l->timer_divide);
	io_u32s(io, l->irr, 8);
	io_u32s(io, l->isr, 8);
	io_u32s(io, l->tmr, 8);
	io_u8(io, &l->timer_armed);
	io_u64(io, &l->timer_remaining);
	io_u64(io, &l->timer_elapsed);
	io_u64(io, &l->timer_frac);
	io_u64(io, &l->timer_period);
	io_u64(io, &l->timer_period_rem);
	io_u64(io, &l->tsc_deadline);
	io_u64(io, &l->tsc_hz);
	io_u64(io, &l->bus_hz);
	io_u8(io, &l->nmi_pending);
}

static void uart_fields(struct gs_io *io, struct guest_state *s)
{
	struct gs_uart *u = &s->uart;

	io_u8(io, &u->ier);
	io_u8(io, &u->iir);
	io_u8(io, &u->lcr);
	io_u8(io, &u->mcr);
	io_u8(io, &u->lsr);
	io_u8(io, &u->msr);
	io_u8(io, &u->scr);
	io_u8(io, &u->dll);
	io_u8(io, &u->dlm);
	io_u8(io, &u->fcr);
	io_bytes(io, u->rx, sizeof(u->rx));
	io_u8(io, &u->rx_head);
	io_u8(io, &u->rx_count);
	io_u8(io, &u->thr_irq);
}

/* ---------------------------------------------------------------- PC devices
 * Section GS_SEC_PC: the 8259A pair, the 8254 with port 0x61, the RTC,
 * the i8042 and port 0x92, in that order (docs/guest-state.md). */

static int fail(char *err, size_t errlen, int code, const char *fmt, ...) PRINTF_LIKE(4, 5);

static void vpic_chip_fields(struct gs_io *io, struct gs_vpic_chip *c)
{
	uint8_t *b[] = { &c->irr, &c->isr, &c->imr, &c->lines, &c->elcr, &c->vector_base,
			 &c->init_step, &c->priority_add, &c->icw4_needed, &c->single,
			 &c->auto_eoi, &c->rotate_aeoi, &c->read_isr, &c->poll,
			 &c->special_mask, &c->ready };

	for (size_t i = 0; i < ARRAY_SIZE(b); i++)
		io_u8(io, b[i]);
}

static void hpet_timer_fields(struct gs_io *io, struct gs_hpet_timer *t)
{
	io_u64(io, &t->config);
	io_u64(io, &t->comparator);
	io_u64(io, &t->period);
	io_u64(io, &t->fsb);
	io_u8(io, &t->armed);
	io_u64(io, &t->remaining);
}

static void hpet_fields(struct gs_io *io, struct guest_state *s)
{
	struct gs_hpet *h = &s->hpet;

	io_u64(io, &h->config);
	io_u64(io, &h->isr);
	io_u64(io, &h->counter);
	for (int n = 0; n < GS_HPET_TIMERS; n++)
		hpet_timer_fields(io, &h->timer[n]);
}

static void vpit_channel_fields(struct gs_io *io, struct gs_vpit_channel *c)
{
	uint8_t *b[] = { &c->count_latched, &c->status_latched, &c->status, &c->read_state,
			 &c->write_state, &c->write_latch, &c->rw_mode, &c->mode, &c->bcd,
			 &c->gate, &c->null_count, &c->loaded };

	io_u32(io, &c->count);
	io_u16(io, &c->latched_count);
	for (size_t i = 0; i < ARRAY_SIZE(b); i++)
		io_u8(io, b[i]);
	io_u64(io, &c->elapsed);
}

static void pc_fields(struct gs_io *io, struct guest_state *s)
{
	struct gs_pc *pc = &s->pc;
	int i;

	for (i = 0; i < 2; i++)
		vpic_chip_fields(io, &pc->pic.chip[i]);
	for (i = 0; i < 3; i++)
		vpit_channel_fields(io, &pc->pit.ch[i]);
	io_u8(io, &pc->pit.port61);
	io_u8(io, &pc->pit.irq_armed);
	io_u64(io, &pc->pit.irq_remaining);
	io_bytes(io, pc->rtc.cmos, sizeof(pc->rtc.cmos));
	io_u8(io, &pc->rtc.index);
	io_u8(io, &pc->rtc.nmi_masked);
	io_u64(io, &pc->rtc.seconds);
	io_u64(io, &pc->rtc.sub_ticks);
	io_u8(io, &pc->kbc.command_byte);
	io_u8(io, &pc->kbc.out_buf);
	io_u8(io, &pc->kbc.out_full);
	io_u8(io, &pc->kbc.pending);
	io_u8(io, &pc->kbc.output_port);
	io_u8(io, &pc->kbc.port92);
}

static bool all_bool(const uint8_t *const *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (*b[i] > 1)
			return false;
	return true;
}

static int validate_vpic(const struct gs_vpic *p, char *err, size_t errlen)
{
	for (int i = 0; i < 2; i++) {
		const struct gs_vpic_chip *c = &p->chip[i];
		const uint8_t *b[] = { &c->icw4_needed, &c->single, &c->auto_eoi, &c->rotate_aeoi,
				       &c->read_isr, &c->poll, &c->special_mask, &c->ready };

		/* ELCR: IRQ0-2, 8 and 13 are edge only (kernel/vpic.c) */
		if (!all_bool(b, ARRAY_SIZE(b)) || c->init_step > 3 || c->priority_add > 7 ||
		    (c->vector_base & 7) || (c->elcr & (i ? 0x21 : 0x07)) ||
		    (c->ready && c->init_step))
			return fail(err, errlen, -EINVAL, "pc: bad 8259A state (chip %d)", i);
	}
	return 0;
}

static int validate_vpit(const struct gs_vpit *p, char *err, size_t errlen)
{
	for (int i = 0; i < 3; i++) {
		const struct gs_vpit_channel *c = &p->ch[i];
		const uint8_t *b[] = { &c->status_latched, &c->bcd, &c->gate, &c->null_count,
				       &c->loaded };

		/* access states: 1 LSB, 2 MSB, 3 LSB then MSB, 4 its second byte */
		if (!all_bool(b, ARRAY_SIZE(b)) || c->count < 1 || c->count > 0x10000 ||
		    c->mode > 5 || c->rw_mode < 1 || c->rw_mode > 3 || c->count_latched > 3 ||
		    c->read_state < 1 || c->read_state > 4 || c->write_state < 1 ||
		    c->write_state > 4 || (i < 2 && !c->gate))
			return fail(err, errlen, -EINVAL, "pc: bad 8254 channel %d", i);
	}
	if ((p->port61 & ~0x0f) || p->irq_armed > 1 || (p->ch[2].gate != (p->port61 & 1)))
		return fail(err, errlen, -EINVAL, "pc: bad port 0x61 or IRQ0 state");
	return 0;
}

static int validate_pc(const struct gs_pc *pc, char *err, size_t errlen)
{
	int rc = validate_vpic(&pc->pic, err, errlen);

	if (!rc)
		rc = validate_vpit(&pc->pit, err, errlen);
	if (rc)
		return rc;
	/* seconds up to 9999-12-31 23:59:59 (kernel/vrtc.c) */
	if (pc->rtc.index > 0x7f || pc->rtc.nmi_masked > 1 || pc->rtc.seconds > 253402300799ULL)
		return fail(err, errlen, -EINVAL, "pc: bad RTC state");
	if (pc->kbc.out_full > 1 || (pc->kbc.pending && pc->kbc.pending != 0x60 &&
				     pc->kbc.pending != 0xd1) || (pc->kbc.port92 & ~0x02))
		return fail(err, errlen, -EINVAL, "pc: bad i8042 state");
	return 0;
}
/* ------------------------------------------------------- end PC devices */

static void acpi_fields(struct gs_io *io, struct guest_state *s)
{
	io_u16(io, &s->acpi.pm1_en);
	io_u16(io, &s->acpi.pm1_cnt);
}

static void ioapic_fields(struct gs_io *io, struct guest_state *s)
{
	io_u32(io, &s->ioapic.id);
	io_u32(io, &s->ioapic.sel);
	io_u32(io, &s->ioapic.lines);
	io_u64s(io, s->ioapic.redir, GS_IOAPIC_PINS);
}

/* PM1_CNT as kernel/acpi_pm.c keeps it: SLP_EN is write-only, bits 14-15 reserved (ACPI 6.5 table 4.16). */
#define ACPI_PM1_CNT_KEPT ((uint16_t)~(ACPI_PM1_SLP_EN | ACPI_PM1_CNT_RESERVED))

struct section_desc {
	uint16_t type;
	const char *name;
	void (*fields)(struct gs_io *io, struct guest_state *s);
};

static const struct section_desc sections[] = {
	{ GS_SEC_CONFIG, "config", config_fields },
	{ GS_SEC_CPU, "cpu", cpu_fields },
	{ GS_SEC_FPU, "fpu", fpu_fields },
	{ GS_SEC_LAPIC, "lapic", lapic_fields },
	{ GS_SEC_UART, "uart", uart_fields },
	{ GS_SEC_HPET, "hpet", hpet_fields },
	{ GS_SEC_PC, "pc", pc_fields },
	{ GS_SEC_ACPI, "acpi", acpi_fields },
	{ GS_SEC_IOAPIC, "ioapic", ioapic_fields },
};

/* ---------------------------------------------------------------- encode */

static void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static void put_u32(uint8_t *p, uint32_t v)
{
	put_u16(p, (uint16_t)v);
	put_u16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get_u32(const uint8_t *p) { return get_u16(p) | (uint32_t)get_u16(p + 2) << 16; }

/* One section at buf + at: its header, then its fields. Returns the new offset, or 0. */
static size_t encode_section(const struct section_desc *d, const struct guest_state *s,
			     uint8_t *buf, size_t len, size_t at)
{
	struct gs_io io = { .buf = buf + at + SECTION_HEAD, .decode = false };

	if (len - at < SECTION_HEAD)
		return 0;
	io.len = len - at - SECTION_HEAD;
	d->fields(&io, (struct guest_state *)s);
	if (io.short_data)
		return 0;
	put_u16(buf + at, d->type);
	put_u16(buf + at + 2, 0); /* vCPU / instance index */
	put_u32(buf + at + 4, (uint32_t)io.pos);
	return at + SECTION_HEAD + io.pos;
}

int guest_state_encode(const struct guest_state *s, uint8_t *buf, size_t len)
{
	size_t at = HEADER_SIZE, i;

	if (len < HEADER_SIZE + SECTION_HEAD + END_PAYLOAD)
		return -ENOSPC;
	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		at = encode_section(&sections[i], s, buf, len, at);
		if (!at)
			return -ENOSPC;
	}
	if (len - at < SECTION_HEAD + END_PAYLOAD)
		return -ENOSPC;
	put_u16(buf + at, GS_SEC_END);
	put_u16(buf + at + 2, 0);
	put_u32(buf + at + 4, END_PAYLOAD);
	at += SECTION_HEAD;
	put_u32(buf, GUEST_STATE_MAGIC);
	put_u16(buf + 4, GUEST_STATE_VERSION);
	put_u16(buf + 6, 0);
	put_u32(buf + 8, (uint32_t)(at + END_PAYLOAD));
	put_u32(buf + at, crc32_update(0, buf, at));
	return (int)(at + END_PAYLOAD);
}

/* ---------------------------------------------------------------- decode */

static int fail(char *err, size_t errlen, int code, const char *fmt, ...) PRINTF_LIKE(4, 5);

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

static const struct section_desc *find_section(uint16_t type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sections); i++)
		if (sections[i].type == type)
			return &sections[i];
	return NULL;
}

static bool str_terminated(const char *s, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (!s[i])
			return true;
	return false;
}

/* What a decoded record must satisfy beyond its shape. */
static int validate(const struct guest_state *s, char *err, size_t errlen)
{
	const struct guest_spec *c = &s->config;
	uint32_t i;

	if (!str_terminated(c->name, sizeof(c->name)) || !guest_spec_name_valid(c->name))
		return fail(err, errlen, -EINVAL, "config: bad guest name");
	if (!str_terminated(c->file, sizeof(c->file)) || !c->file[0] ||
	    !str_terminated(c->args, sizeof(c->args)))
		return fail(err, errlen, -EINVAL, "config: bad image name or command line");
	/* RAM is allocated in whole 2 MiB blocks (kernel/guest.c) */
	if (c->mem_mib < GUEST_MEM_MIN_MIB || c->mem_mib > GUEST_MEM_MAX_MIB ||
	    s->ram_size != ALIGN_UP(MiB(c->mem_mib), MiB(2)))
		return fail(err, errlen, -EINVAL, "config: RAM size %lu B does not fit %u MiB",
			    (unsigned long)s->ram_size, c->mem_mib);
	if (c->nmodules > GUEST_MODULES_MAX)
		return fail(err, errlen, -EINVAL, "config: %u modules (at most %d)", c->nmodules,
			    GUEST_MODULES_MAX);
	for (i = 0; i < GUEST_MODULES_MAX; i++)
		if (!str_terminated(c->modules[i], sizeof(c->modules[i])) ||
		    (i < c->nmodules && !c->modules[i][0]))
			return fail(err, errlen, -EINVAL, "config: bad module name %u", i);
	if (s->cpu.exception_vector > 31 || s->cpu.exception_pending > 1 ||
	    s->cpu.exception_has_error > 1 || s->cpu.halted > 1 || s->cpu.halted_with_if > 1)
		return fail(err, errlen, -EINVAL, "cpu: bad pending-event fields");
	if (s->uart.rx_head >= sizeof(s->uart.rx) || s->uart.rx_count > sizeof(s->uart.rx) ||
	    s->uart.thr_irq > 1)
		return fail(err, errlen, -EINVAL, "uart: bad receive FIFO state");
	if (!s->lapic.tsc_hz || !s->lapic.bus_hz || s->lapic.timer_armed > 1 ||
	    s->lapic.nmi_pending > 1)
		return fail(err, errlen, -EINVAL, "lapic: bad timer clock or state");
	if (!hpet_state_valid(&s->hpet))
		return fail(err, errlen, -EINVAL, "hpet: reserved bits or a timer state it cannot have");
	if (s->acpi.pm1_cnt & ~ACPI_PM1_CNT_KEPT)
		return fail(err, errlen, -EINVAL, "acpi: PM1 control has SLP_EN or reserved bits set");
	if (!vioapic_state_valid(&s->ioapic))
		return fail(err, errlen, -EINVAL, "ioapic: reserved bits, or Remote IRR on an edge entry");
	return validate_pc(&s->pc, err, errlen);
}

static int check_header(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	if (len < HEADER_SIZE)
		return fail(err, errlen, -EPROTO, "truncated: %lu bytes, no header",
			    (unsigned long)len);
	if (get_u32(buf) != GUEST_STATE_MAGIC)
		return fail(err, errlen, -EPROTO, "not a guest-state record (magic 0x%08x)",
			    get_u32(buf));
	if (get_u16(buf + 4) != GUEST_STATE_VERSION)
		return fail(err, errlen, -EPROTO, "unsupported version %u (this hypervisor reads %u)",
			    get_u16(buf + 4), GUEST_STATE_VERSION);
	if (get_u16(buf + 6) != 0)
		return fail(err, errlen, -EPROTO, "unknown flags 0x%04x", get_u16(buf + 6));
	if (get_u32(buf + 8) != len)
		return fail(err, errlen, -EPROTO, "length field says %u bytes, record has %lu",
			    get_u32(buf + 8), (unsigned long)len);
	return 0;
}

/* The record ends in the END section, whose CRC covers everything before its payload. */
static int check_end(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	size_t at;

	if (len < HEADER_SIZE + SECTION_HEAD + END_PAYLOAD)
		return fail(err, errlen, -EPROTO, "truncated: %lu bytes, no end section",
			    (unsigned long)len);
	at = len - SECTION_HEAD - END_PAYLOAD;
	if (get_u16(buf + at) != GS_SEC_END || get_u16(buf + at + 2) != 0 ||
	    get_u32(buf + at + 4) != END_PAYLOAD)
		return fail(err, errlen, -EPROTO, "truncated: the end section is missing");
	if (get_u32(buf + at + SECTION_HEAD) != crc32_update(0, buf, at + SECTION_HEAD))
		return fail(err, errlen, -EPROTO, "checksum mismatch (record corrupted)");
	return 0;
}

static int decode_section(const struct section_desc *d, const uint8_t *buf, uint32_t seclen,
			  struct guest_state *s, char *err, size_t errlen)
{
	struct gs_io io = { .buf = (uint8_t *)buf, .len = seclen, .decode = true };

	d->fields(&io, s);
	if (io.short_data || io.pos != seclen)
		return fail(err, errlen, -EPROTO, "section %s is %u bytes, expected %s", d->name,
			    seclen, io.short_data ? "more" : "fewer");
	return 0;
}

static int decode_sections(const uint8_t *buf, size_t len, struct guest_state *s,
			   char *err, size_t errlen)
{
	uint32_t seen = 0, all = (1u << ARRAY_SIZE(sections)) - 1;
	size_t at = HEADER_SIZE;

	for (;;) {
		const struct section_desc *d;
		uint16_t type, index;
		uint32_t seclen;
		int rc;

		if (len - at < SECTION_HEAD)
			return fail(err, errlen, -EPROTO, "truncated at byte %lu", (unsigned long)at);
		type = get_u16(buf + at);
		index = get_u16(buf + at + 2);
		seclen = get_u32(buf + at + 4);
		if (type == GS_SEC_END) {
			if (at + SECTION_HEAD + END_PAYLOAD != len)
				return fail(err, errlen, -EPROTO, "end section at byte %lu, before the end",
					    (unsigned long)at);
			if (seen != all)
				return fail(err, errlen, -EPROTO, "sections missing (have 0x%x)", seen);
			return 0;
		}
		d = find_section(type);
		if (!d)
			return fail(err, errlen, -EPROTO, "unknown section type %u", type);
		if (index >= GUEST_STATE_MAX_VCPUS)
			return fail(err, errlen, -EPROTO, "section %s for instance %u", d->name, index);
		if (seen & (1u << (d - sections)))
			return fail(err, errlen, -EPROTO, "duplicate section %s", d->name);
		if (seclen > len - at - SECTION_HEAD)
			return fail(err, errlen, -EPROTO, "section %s runs past the end", d->name);
		rc = decode_section(d, buf + at + SECTION_HEAD, seclen, s, err, errlen);
		if (rc)
			return rc;
		seen |= 1u << (d - sections);
		at += SECTION_HEAD + seclen;
	}
}

int guest_state_decode(const uint8_t *buf, size_t len, struct guest_state *s,
		       char *err, size_t errlen)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = check_header(buf, len, err, errlen);
	if (!rc)
		rc = check_end(buf, len, err, errlen);
	if (!rc)
		rc = decode_sections(buf, len, s, err, errlen);
	if (!rc)
		rc = validate(s, err, errlen);
	if (rc)
		memset(s, 0, sizeof(*s));
	return rc;
}
