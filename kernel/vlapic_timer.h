/*
 * The local APIC timer (SDM Vol. 3A 11.5.4), internal to the vlapic model
 * (kernel/vlapic.c, vlapic_regs.c and vlapic_timer.c). Others use vlapic.h.
 */
#ifndef KERNEL_VLAPIC_TIMER_H
#define KERNEL_VLAPIC_TIMER_H

#include "kernel/vlapic.h"

/* LVT fields, figure 11-8. */
#define LVT_VECTOR 0xffu
#define LVT_DELIVERY_MODE 0x700u
#define LVT_DELIVERY_NMI 0x400u
#define LVT_DELIVERY_EXTINT 0x700u
#define LVT_STATUS (1u << 12)
#define LVT_POLARITY (1u << 13)
#define LVT_REMOTE_IRR (1u << 14)
#define LVT_LEVEL (1u << 15)
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_MODE (3u << 17)
#define LVT_TIMER_SHIFT 17

/* Timer modes, LVT timer bits 18:17 (table 11-2). */
#define TIMER_ONESHOT 0
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2
#define TIMER_MODE_RESERVED 3

#define DCR_WRITABLE 0xbu /* figure 11-10: bits 0, 1 and 3 */

/* The mode the LVT timer entry selects. */
static inline unsigned vlapic_timer_mode(const struct vlapic *l)
{
	return (l->lvt_timer & LVT_TIMER_MODE) >> LVT_TIMER_SHIFT;
}

/* Raise the interrupt an LVT entry describes, unless masked (vlapic.c). */
void vlapic_deliver_lvt(struct vlapic *l, uint32_t lvt);

/* A write of the initial count register at now. */
void vlapic_timer_write_initial(struct vlapic *l, uint32_t val, uint64_t now);

/* A write of the divide configuration register at now. */
void vlapic_timer_write_divide(struct vlapic *l, uint32_t val, uint64_t now);

/* A write of IA32_TSC_DEADLINE. */
void vlapic_timer_write_deadline(struct vlapic *l, uint64_t val);

#endif
