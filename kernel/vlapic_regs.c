/*
 * A guest's local APIC: the register interfaces. Pure: see vlapic.h.
 * Section numbers are the Intel SDM Vol. 3A's, chapter 11.
 *
 * Apart from the interrupt state (vlapic.c) because this is decoding:
 * which register an access names, its reserved bits and access rules in
 * each mode, and IA32_APIC_BASE mode transitions. Both register
 * interfaces share one decoder indexed by the xAPIC MMIO offset; an
 * x2APIC MSR is 0x800 + offset / 16 (11.12.1.2). Delivery is instant, so
 * the ICR and LVT delivery-status bits always read 0.
 */
#include "kernel/vlapic_regs.h"
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

#define SVR_WRITABLE 0x3ffu /* vector, enable, focus check; no EOI suppression */
#define DFR_RESERVED 0x0fffffffu /* reads as ones, 11.6.2.2 */
#define LDR_XAPIC_ID 0xff000000u

static bool vlapic_xapic_mode(const struct vlapic *l)
{
	return (l->apic_base & APIC_BASE_MODE) == APIC_BASE_EN;
}

/* x2APIC logical ID, 11.12.10.2: cluster in 31:16, one bit of 16 in 15:0. */
static uint32_t vlapic_x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
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
	if (reg == APIC_LVT_TIMER && vlapic_timer_mode(l) != old_mode &&
	    (old_mode == TIMER_TSC_DEADLINE || vlapic_timer_mode(l) == TIMER_TSC_DEADLINE)) {
		/* Entering or leaving TSC-deadline mode disarms the timer
		 * (11.5.4.1); one-shot and periodic share the count, which
		 * keeps running across a switch between them (as on hardware
		 * and in KVM: kvm-unit-tests' apic checks it). */
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

	/* with the xAPIC off nothing decodes the page: reads float high */
	*val = vlapic_xapic_mode(l) ? 0 : 0xffffffffu;
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
