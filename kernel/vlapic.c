/*
 * A guest's local APIC. Pure: see vlapic.h. Section numbers are the
 * Intel SDM Vol. 3A's, chapter 11.
 *
 * Both register interfaces share one decoder indexed by the xAPIC MMIO
 * offset; an x2APIC MSR is 0x800 + offset / 16 (11.12.1.2). Delivery is
 * instant, so the ICR and LVT delivery-status bits always read 0. Only
 * edge-triggered interrupts exist (TMR stays 0). With a single vCPU, an
 * IPI is either for this APIC or dropped (counted in ipis_ignored). The
 * timer is in vlapic_timer.c.
 */
#include <string.h>

#include "kernel/vlapic_timer.h"

/* Register offsets in the APIC page, table 11-1. */
#define APIC_ID 0x020
#define APIC_LVR 0x030
#define APIC_TPR 0x080
#define APIC_APR 0x090
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_RRD 0x0c0
#define APIC_LDR 0x0d0
#define APIC_DFR 0x0e0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_LVT_CMCI 0x2f0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERF 0x340
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_ICR 0x380
#define APIC_TIMER_CCR 0x390
#define APIC_TIMER_DCR 0x3e0
#define APIC_SELF_IPI 0x3f0 /* x2APIC only, 11.12.11 */
#define APIC_REG_LAST 0x3f0
#define APIC_BITMAP_SIZE 0x80 /* ISR/TMR/IRR: eight registers */

/* Version register (11.4.8): integrated APIC, seven LVT entries (CMCI). */
#define VLAPIC_VERSION (0x14 | (6 << 16))

/* IA32_APIC_BASE, figure 11-5. Reserved above bit 51, the largest MAXPHYADDR. */
#define APIC_BASE_BSP (1ULL << 8)
#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_EN (1ULL << 11)
#define APIC_BASE_ADDR 0x000ffffffffff000ULL
#define APIC_BASE_MODE (APIC_BASE_EN | APIC_BASE_EXTD)

#define SVR_ENABLE (1u << 8)
#define SVR_WRITABLE 0x3ffu /* vector, enable, focus check; no EOI suppression */
#define DFR_RESERVED 0x0fffffffu /* reads as ones, 11.6.2.2 */
#define LDR_XAPIC_ID 0xff000000u

/* ICR, figure 11-12 and 11.12.9 (x2APIC). */
#define ICR_DELIVERY(lo) (((lo) >> 8) & 7)
#define ICR_FIXED 0
#define ICR_LOGICAL (1u << 11)
#define ICR_SHORTHAND(lo) (((lo) >> 18) & 3)
#define ICR_SELF 1
#define ICR_ALL_INCL 2
#define ICR_ALL_EXCL 3
#define ICR_LO_WRITABLE 0x000ccfffu /* delivery status (12) is read-only */
#define ICR_X2_RESERVED 0xfff32000u /* bits 31:20, 17:16, 13 */
#define ICR_X2_STATUS (1u << 12) /* gone in x2APIC: ignored, not faulted */

/* Error status register bits, figure 11-9. */
#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)

#define VECTOR_FIRST_LEGAL 16 /* 11.5.2 */

static bool vlapic_hw_enabled(const struct vlapic *l)
{
	return l->apic_base & APIC_BASE_EN;
}

static bool vlapic_enabled(const struct vlapic *l)
{
	return vlapic_hw_enabled(l) && (l->svr & SVR_ENABLE);
}

bool vlapic_x2apic_mode(const struct vlapic *l)
{
	return (l->apic_base & APIC_BASE_MODE) == APIC_BASE_MODE;
}

static bool vlapic_xapic_mode(const struct vlapic *l)
{
	return (l->apic_base & APIC_BASE_MODE) == APIC_BASE_EN;
}

/* Power-up state, 11.4.7.1; ID, IA32_APIC_BASE, rates and counters stay. */
static void vlapic_reset_regs(struct vlapic *l)
{
	l->tpr = 0;
	l->svr = 0xff;
	l->ldr = 0;
	l->dfr = 0xffffffffu;
	l->esr = 0;
	l->esr_pending = 0;
	l->icr_lo = 0;
	l->icr_hi = 0;
	l->lvt_timer = l->lvt_thermal = l->lvt_perf = LVT_MASKED;
	l->lvt_lint0 = l->lvt_lint1 = l->lvt_error = l->lvt_cmci = LVT_MASKED;
	l->timer_initial = 0;
	l->timer_divide = 0;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->timer_start = 0;
	l->timer_deadline = 0;
	l->tsc_deadline = 0;
	l->timer_period = 0;
	l->timer_period_rem = 0;
	l->timer_frac = 0;
}

void vlapic_init(struct vlapic *l, uint32_t id, uint64_t tsc_hz, uint64_t bus_hz)
{
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->tsc_hz = tsc_hz ? tsc_hz : 1;
	l->bus_hz = bus_hz ? bus_hz : 1;
	l->apic_base = VLAPIC_DEFAULT_BASE | APIC_BASE_EN | (id == 0 ? APIC_BASE_BSP : 0);
	vlapic_reset_regs(l);
}

/* ---------------------------------------------------------------- IRR/ISR */

static int vlapic_highest(const uint32_t *bits)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (bits[i])
			return i * 32 + 31 - __builtin_clz(bits[i]);
	return -1;
}

static bool vlapic_test(const uint32_t *bits, unsigned v)
{
	return bits[v >> 5] & (1u << (v & 31));
}

static void vlapic_set(uint32_t *bits, unsigned v)
{
	bits[v >> 5] |= 1u << (v & 31);
}

static void vlapic_clear(uint32_t *bits, unsigned v)
{
	bits[v >> 5] &= ~(1u << (v & 31));
}

/* PPR, 11.8.3.1: the TPR, or the class of the highest in-service vector. */
static uint32_t vlapic_ppr(const struct vlapic *l)
{
	int isrv = vlapic_highest(l->isr);
	uint32_t tpr = l->tpr & 0xff;

	if (isrv < 0 || (tpr >> 4) >= ((uint32_t)isrv >> 4))
		return tpr;
	return (uint32_t)isrv & 0xf0;
}

/* Fixed interrupts need a globally and software-enabled APIC (11.4.7.2). */
static bool vlapic_set_irr(struct vlapic *l, uint8_t vector)
{
	if (!vlapic_enabled(l)) {
		l->irqs_dropped++;
		return false;
	}
	vlapic_set(l->irr, vector);
	return true;
}

/* An error (11.5.3): logged for the next ESR write, then the LVT error
 * interrupt; its own illegal vector is logged but not signalled again. */
static void vlapic_error(struct vlapic *l, uint32_t bits)
{
	uint8_t vector = l->lvt_error & LVT_VECTOR;

	l->esr_pending |= bits;
	if (l->lvt_error & LVT_MASKED)
		return;
	if (vector < VECTOR_FIRST_LEGAL)
		l->esr_pending |= ESR_RECV_ILLEGAL;
	else
		vlapic_set_irr(l, vector);
}

/* LVT delivery modes other than fixed are not modelled. */
void vlapic_deliver_lvt(struct vlapic *l, uint32_t lvt)
{
	uint8_t vector = lvt & LVT_VECTOR;

	if (lvt & LVT_MASKED)
		return;
	if (vector < VECTOR_FIRST_LEGAL)
		vlapic_error(l, ESR_RECV_ILLEGAL);
	else
		vlapic_set_irr(l, vector);
}

void vlapic_accept(struct vlapic *l, uint8_t vector)
{
	if (vector < VECTOR_FIRST_LEGAL) {
		vlapic_error(l, ESR_RECV_ILLEGAL);
		return;
	}
	if (vlapic_set_irr(l, vector))
		l->accepted++;
}

int vlapic_pending(const struct vlapic *l)
{
	int irrv;

	if (!vlapic_enabled(l))
		return -1;
	irrv = vlapic_highest(l->irr);
	if (irrv < 0 || ((uint32_t)irrv >> 4) <= (vlapic_ppr(l) >> 4))
		return -1;
	return irrv;
}

/* Only a vector that is requested can go in service. */
void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	if (!vlapic_test(l->irr, vector))
		return;
	vlapic_clear(l->irr, vector);
	vlapic_set(l->isr, vector);
}

/* EOI, 11.8.5: retires the highest-priority in-service interrupt. */
static void vlapic_eoi(struct vlapic *l)
{
	int isrv = vlapic_highest(l->isr);

	if (isrv >= 0)
		vlapic_clear(l->isr, (unsigned)isrv);
	l->eois++;
}

/* ---------------------------------------------------------------- IPIs */

/* x2APIC logical ID, 11.12.10.2: cluster in 31:16, one bit of 16 in 15:0. */
static uint32_t vlapic_x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* Logical destinations, 11.6.2.2 (flat and cluster) and 11.12.10.1. */
static bool vlapic_logical_match(const struct vlapic *l, uint32_t dest)
{
	uint32_t ldr8 = l->ldr >> 24;

	if (vlapic_x2apic_mode(l))
		return (dest >> 16) == (l->ldr >> 16) && (dest & l->ldr & 0xffff);
	if ((l->dfr >> 28) == 0xf)
		return dest & ldr8;
	return (dest >> 4) == (ldr8 >> 4) && (dest & ldr8 & 0xf);
}

static bool vlapic_dest_match(const struct vlapic *l, uint32_t dest, bool logical)
{
	bool x2 = vlapic_x2apic_mode(l);

	if (dest == (x2 ? 0xffffffffu : 0xffu))
		return true; /* broadcast */
	if (logical)
		return vlapic_logical_match(l, dest);
	return dest == (x2 ? l->id : (l->id & 0xff));
}

static bool vlapic_ipi_to_self(const struct vlapic *l, uint32_t lo, uint32_t dest)
{
	switch (ICR_SHORTHAND(lo)) {
	case ICR_SELF:
	case ICR_ALL_INCL:
		return true;
	case ICR_ALL_EXCL:
		return false;
	default:
		return vlapic_dest_match(l, dest, lo & ICR_LOGICAL);
	}
}

/* An ICR write (11.6.1) or a SELF IPI (11.12.11). An illegal vector is a
 * send error, and a receive error too when it was meant for us (11.5.3). */
static void vlapic_send_ipi(struct vlapic *l, uint32_t lo, uint32_t dest)
{
	uint8_t vector = lo & LVT_VECTOR;
	bool self = vlapic_ipi_to_self(l, lo, dest);

	if (ICR_DELIVERY(lo) != ICR_FIXED) {
		l->ipis_ignored++;
		return;
	}
	if (vector < VECTOR_FIRST_LEGAL) {
		vlapic_error(l, ESR_SEND_ILLEGAL | (self ? ESR_RECV_ILLEGAL : 0));
		return;
	}
	if (!self) {
		l->ipis_ignored++;
		return;
	}
	l->self_ipis++;
	vlapic_set_irr(l, vector);
}

/* ---------------------------------------------------------------- LVT, SVR */

static uint32_t *vlapic_lvt(struct vlapic *l, uint32_t reg)
{
	uint32_t *contiguous[] = {
		&l->lvt_timer, &l->lvt_thermal, &l->lvt_perf,
		&l->lvt_lint0, &l->lvt_lint1, &l->lvt_error,
	};

	if (reg == APIC_LVT_CMCI)
		return &l->lvt_cmci;
	if (reg < APIC_LVT_TIMER || reg > APIC_LVT_ERROR || (reg & 0xf))
		return NULL;
	return contiguous[(reg - APIC_LVT_TIMER) >> 4];
}

/* The bits software may set in each LVT entry, figure 11-8. */
static uint32_t vlapic_lvt_writable(uint32_t reg)
{
	switch (reg) {
	case APIC_LVT_TIMER:
		return LVT_VECTOR | LVT_MASKED | LVT_TIMER_MODE;
	case APIC_LVT_LINT0:
	case APIC_LVT_LINT1:
		return LVT_VECTOR | LVT_DELIVERY_MODE | LVT_POLARITY | LVT_LEVEL | LVT_MASKED;
	case APIC_LVT_ERROR:
		return LVT_VECTOR | LVT_MASKED;
	default:
		return LVT_VECTOR | LVT_DELIVERY_MODE | LVT_MASKED;
	}
}

/* Read-only bits are not reserved: writing them is no fault in x2APIC. */
static int vlapic_write_lvt(struct vlapic *l, uint32_t reg, uint32_t val, bool x2)
{
	uint32_t *lvt = vlapic_lvt(l, reg), writable = vlapic_lvt_writable(reg);
	uint32_t old_mode = vlapic_timer_mode(l);

	if (x2 && (val & ~(writable | LVT_STATUS | LVT_REMOTE_IRR)))
		return -EINVAL;
	if (reg == APIC_LVT_TIMER &&
	    (val & LVT_TIMER_MODE) >> LVT_TIMER_SHIFT == TIMER_MODE_RESERVED)
		return -EINVAL;
	*lvt = val & writable;
	if (!(l->svr & SVR_ENABLE))
		*lvt |= LVT_MASKED; /* 11.4.7.2 */
	if (reg == APIC_LVT_TIMER && vlapic_timer_mode(l) != old_mode) {
		/* Changing the mode disarms the timer (11.5.4.1). */
		l->timer_initial = 0;
		l->timer_deadline = 0;
		l->tsc_deadline = 0;
	}
	return 0;
}

/* Software disable masks every LVT entry (11.4.7.2). */
static void vlapic_write_svr(struct vlapic *l, uint32_t val)
{
	uint32_t reg;

	l->svr = val & SVR_WRITABLE;
	if (l->svr & SVR_ENABLE)
		return;
	l->lvt_cmci |= LVT_MASKED;
	for (reg = APIC_LVT_TIMER; reg <= APIC_LVT_ERROR; reg += 0x10)
		*vlapic_lvt(l, reg) |= LVT_MASKED;
}

/* ---------------------------------------------------------------- registers */

static bool vlapic_in_bitmap(uint32_t reg, uint32_t first)
{
	return reg >= first && reg < first + APIC_BITMAP_SIZE;
}

static int vlapic_reg_read(struct vlapic *l, uint32_t reg, uint64_t now, bool x2,
			   uint64_t *val)
{
	uint32_t *lvt = vlapic_lvt(l, reg);

	if (lvt)
		*val = *lvt;
	else if (vlapic_in_bitmap(reg, APIC_ISR))
		*val = l->isr[(reg - APIC_ISR) >> 4];
	else if (vlapic_in_bitmap(reg, APIC_TMR))
		*val = l->tmr[(reg - APIC_TMR) >> 4];
	else if (vlapic_in_bitmap(reg, APIC_IRR))
		*val = l->irr[(reg - APIC_IRR) >> 4];
	else if (reg == APIC_ID)
		*val = x2 ? l->id : (l->id & 0xff) << 24;
	else if (reg == APIC_LVR)
		*val = VLAPIC_VERSION;
	else if (reg == APIC_TPR)
		*val = l->tpr;
	else if (reg == APIC_PPR)
		*val = vlapic_ppr(l);
	else if (reg == APIC_LDR)
		*val = l->ldr;
	else if (reg == APIC_SVR)
		*val = l->svr;
	else if (reg == APIC_ESR)
		*val = l->esr;
	else if (reg == APIC_ICR_LO)
		*val = x2 ? (uint64_t)l->icr_hi << 32 | l->icr_lo : l->icr_lo;
	else if (reg == APIC_TIMER_ICR)
		*val = l->timer_initial;
	else if (reg == APIC_TIMER_CCR)
		*val = vlapic_timer_current(l, now);
	else if (reg == APIC_TIMER_DCR)
		*val = l->timer_divide;
	else if (x2)
		return -EINVAL; /* APR, RRD, DFR and ICR high are xAPIC only */
	else if (reg == APIC_DFR)
		*val = l->dfr;
	else if (reg == APIC_ICR_HI)
		*val = l->icr_hi;
	else if (reg == APIC_APR || reg == APIC_RRD)
		*val = 0; /* no bus arbitration, no remote reads */
	else
		return -EINVAL; /* EOI and SELF IPI are write-only, the rest reserved */
	return 0;
}

/* Registers only the xAPIC has. The xAPIC ID reads as the fixed ID: the
 * SDM leaves writing it model specific (11.4.6), so writes are dropped. */
static int vlapic_write_xapic_only(struct vlapic *l, uint32_t reg, uint32_t val)
{
	switch (reg) {
	case APIC_ID:
		return 0;
	case APIC_LDR:
		l->ldr = val & LDR_XAPIC_ID;
		return 0;
	case APIC_DFR:
		l->dfr = val | DFR_RESERVED;
		return 0;
	case APIC_ICR_HI:
		l->icr_hi = val & LDR_XAPIC_ID;
		return 0;
	case APIC_ICR_LO:
		l->icr_lo = val & ICR_LO_WRITABLE;
		vlapic_send_ipi(l, l->icr_lo, l->icr_hi >> 24);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Registers only the x2APIC has, and its 64-bit ICR (11.12.9). */
static int vlapic_write_x2apic_only(struct vlapic *l, uint32_t reg, uint64_t val)
{
	uint32_t lo = (uint32_t)val;

	if (reg == APIC_SELF_IPI) {
		if (val & ~(uint64_t)LVT_VECTOR)
			return -EINVAL;
		vlapic_send_ipi(l, ICR_SELF << 18 | lo, 0);
		return 0;
	}
	if (reg != APIC_ICR_LO || (lo & ICR_X2_RESERVED))
		return -EINVAL;
	l->icr_lo = lo & ~ICR_X2_STATUS;
	l->icr_hi = (uint32_t)(val >> 32);
	vlapic_send_ipi(l, l->icr_lo, l->icr_hi);
	return 0;
}

/* x2APIC writes fault on reserved bits (11.12.1.3); xAPIC ones drop them. */
static int vlapic_reg_write(struct vlapic *l, uint32_t reg, uint64_t val, uint64_t now,
			    bool x2)
{
	uint32_t v = (uint32_t)val;

	if (vlapic_lvt(l, reg))
		return vlapic_write_lvt(l, reg, v, x2);
	switch (reg) {
	case APIC_TPR:
		if (x2 && (v & ~0xffu))
			return -EINVAL;
		l->tpr = v & 0xff;
		return 0;
	case APIC_EOI:
		if (x2 && v)
			return -EINVAL; /* table 11-6 */
		vlapic_eoi(l);
		return 0;
	case APIC_SVR:
		if (x2 && (v & ~SVR_WRITABLE))
			return -EINVAL;
		vlapic_write_svr(l, v);
		return 0;
	case APIC_ESR:
		if (x2 && v)
			return -EINVAL; /* only 0 may be written (11.5.3) */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return 0;
	case APIC_TIMER_ICR:
		vlapic_timer_write_initial(l, v, now);
		return 0;
	case APIC_TIMER_DCR:
		if (x2 && (v & ~DCR_WRITABLE))
			return -EINVAL;
		vlapic_timer_write_divide(l, v, now);
		return 0;
	default:
		return x2 ? vlapic_write_x2apic_only(l, reg, val)
			  : vlapic_write_xapic_only(l, reg, v);
	}
}

/* ---------------------------------------------------------------- interfaces */

static bool vlapic_mmio_ok(const struct vlapic *l, uint32_t offset)
{
	return vlapic_xapic_mode(l) && offset <= APIC_REG_LAST && !(offset & 0xf);
}

int vlapic_mmio_read(struct vlapic *l, uint32_t offset, uint64_t now, uint32_t *val)
{
	uint64_t v = 0;
	int r;

	*val = 0;
	if (!vlapic_mmio_ok(l, offset))
		return -EINVAL;
	vlapic_update_timer(l, now);
	r = vlapic_reg_read(l, offset, now, false, &v);
	*val = (uint32_t)v;
	return r;
}

int vlapic_mmio_write(struct vlapic *l, uint32_t offset, uint32_t val, uint64_t now)
{
	int r;

	if (!vlapic_mmio_ok(l, offset))
		return -EINVAL;
	vlapic_update_timer(l, now);
	r = vlapic_reg_write(l, offset, val, now, false);
	vlapic_update_timer(l, now); /* a deadline already passed fires now */
	return r;
}

/* IA32_APIC_BASE transitions, 11.12.5. The BSP flag is fixed by the ID. */
static int vlapic_write_apic_base(struct vlapic *l, uint64_t val)
{
	uint64_t from = l->apic_base & APIC_BASE_MODE, to = val & APIC_BASE_MODE;

	if (val & ~(APIC_BASE_ADDR | APIC_BASE_MODE | APIC_BASE_BSP))
		return -EINVAL;
	if (to == APIC_BASE_EXTD)
		return -EINVAL; /* x2APIC without enable is invalid */
	if (from == APIC_BASE_MODE && to == APIC_BASE_EN)
		return -EINVAL; /* x2APIC -> xAPIC must pass through disabled */
	if (from == 0 && to == APIC_BASE_MODE)
		return -EINVAL; /* disabled -> x2APIC must pass through xAPIC */
	l->apic_base = (val & ~APIC_BASE_BSP) | (l->apic_base & APIC_BASE_BSP);
	if (from && !to)
		vlapic_reset_regs(l);
	if (from == APIC_BASE_EN && to == APIC_BASE_MODE)
		l->ldr = vlapic_x2apic_ldr(l->id); /* 11.12.5.1 */
	return 0;
}

int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val)
{
	*val = 0;
	vlapic_update_timer(l, now);
	if (msr == MSR_IA32_APIC_BASE) {
		*val = l->apic_base;
		return 0;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		if (vlapic_timer_mode(l) == TIMER_TSC_DEADLINE)
			*val = l->tsc_deadline;
		return 0;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !vlapic_x2apic_mode(l))
		return -EINVAL;
	return vlapic_reg_read(l, (msr - MSR_X2APIC_FIRST) << 4, now, true, val);
}

int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now)
{
	uint32_t reg = (msr - MSR_X2APIC_FIRST) << 4;
	int r;

	vlapic_update_timer(l, now);
	r = 0;
	if (msr == MSR_IA32_APIC_BASE)
		r = vlapic_write_apic_base(l, val);
	else if (msr == MSR_IA32_TSC_DEADLINE)
		vlapic_timer_write_deadline(l, val);
	else if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !vlapic_x2apic_mode(l))
		r = -EINVAL;
	else if (reg != APIC_ICR_LO && (val >> 32))
		r = -EINVAL; /* bits 63:32 are reserved in 32-bit registers */
	else
		r = vlapic_reg_write(l, reg, val, now, true);
	vlapic_update_timer(l, now);
	return r;
}
