/*
 * A guest's local APIC: interrupt state. Pure: see vlapic.h. Section
 * numbers are the Intel SDM Vol. 3A's, chapter 11.
 *
 * IRR/ISR bookkeeping, priorities, EOI, errors and IPI routing, plus the
 * reset state. Level-triggered interrupts come only from the I/O APIC,
 * as MSIs with the trigger-mode bit; their EOI is passed back. With a
 * single vCPU, an IPI is either for this APIC or dropped (counted in
 * ipis_ignored). The register interfaces that drive this are in
 * vlapic_regs.c, the timer in vlapic_timer.c.
 */
#include <string.h>

#include "kernel/vlapic_regs.h"
#include "kernel/vlapic_timer.h"

/* Error status register bits, figure 11-9. */
#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)

#define VECTOR_FIRST_LEGAL 16 /* 11.5.2 */

bool vlapic_hw_enabled(const struct vlapic *l)
{
	return l->apic_base & APIC_BASE_EN;
}

static bool vlapic_enabled(const struct vlapic *l)
{
	return vlapic_hw_enabled(l) && (l->svr & SVR_ENABLE);
}

bool vlapic_extint_routed(const struct vlapic *l)
{
	/* a globally disabled APIC passes INTR straight to the CPU (SDM Vol. 3A 11.4.3);
	 * a software-disabled one keeps its LVT entries masked (11.4.7.2) */
	if (!vlapic_hw_enabled(l))
		return true;
	return vlapic_enabled(l) && !(l->lvt_lint0 & LVT_MASKED) &&
	       (l->lvt_lint0 & LVT_DELIVERY_MODE) == LVT_DELIVERY_EXTINT;
}

bool vlapic_x2apic_mode(const struct vlapic *l)
{
	return (l->apic_base & APIC_BASE_MODE) == APIC_BASE_MODE;
}

/* Power-up state, 11.4.7.1; ID, IA32_APIC_BASE, rates and counters stay. */
void vlapic_reset_regs(struct vlapic *l)
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
uint32_t vlapic_ppr(const struct vlapic *l)
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

bool vlapic_take_nmi(struct vlapic *l)
{
	bool was = l->nmi_pending;

	l->nmi_pending = false;
	return was;
}

/* The timer and error LVTs, the only ones that fire here, have no delivery mode (11.5.1). */
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

/* EOI, 11.8.5: retires the highest-priority in-service interrupt; a
 * level-triggered one (TMR set) is broadcast so its source can re-arm. */
void vlapic_eoi(struct vlapic *l)
{
	int isrv = vlapic_highest(l->isr);

	l->eois++;
	if (isrv < 0)
		return;
	vlapic_clear(l->isr, (unsigned)isrv);
	if (!vlapic_test(l->tmr, (unsigned)isrv))
		return;
	vlapic_clear(l->tmr, (unsigned)isrv);
	if (l->level_eoi)
		l->level_eoi(l->level_eoi_ctx, (uint8_t)isrv);
}

/* ---------------------------------------------------------------- IPIs */

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
void vlapic_send_ipi(struct vlapic *l, uint32_t lo, uint32_t dest)
{
	uint8_t vector = lo & LVT_VECTOR;
	bool self = vlapic_ipi_to_self(l, lo, dest);

	if (ICR_DELIVERY(lo) == ICR_NMI && self) {
		l->self_ipis++;
		l->nmis++;
		l->nmi_pending = true; /* the vector is ignored; NMIs do not queue: they merge */
		return;
	}
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

/* ---------------------------------------------------------------- MSIs */

int vlapic_deliver_msi(struct vlapic *l, uint64_t addr, uint32_t data)
{
	uint32_t dest = MSI_ADDR_DEST(addr);
	/* 0xFF is the broadcast ID of an 8-bit MSI destination in both modes */
	bool ours = dest == 0xff || vlapic_dest_match(l, dest, addr & MSI_ADDR_DM);

	if ((addr & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE || !ours) {
		l->ipis_ignored++;
		return -EINVAL;
	}
	switch (MSI_DATA_DELIVERY(data)) {
	case MSI_DELIVERY_FIXED:
	case MSI_DELIVERY_LOWEST: /* one CPU: the lowest priority is ours */
		vlapic_accept(l, (uint8_t)data);
		/* TMR follows the trigger mode of the accepted interrupt (11.8.4) */
		if (data & MSI_DATA_LEVEL_TRIGGER && vlapic_test(l->irr, (uint8_t)data))
			vlapic_set(l->tmr, (uint8_t)data);
		else
			vlapic_clear(l->tmr, (uint8_t)data);
		return 0;
	case MSI_DELIVERY_NMI:
		l->nmis++;
		l->nmi_pending = true;
		return 0;
	default: /* SMI, INIT, ExtINT: nothing here takes them */
		l->ipis_ignored++;
		return -EINVAL;
	}
}
