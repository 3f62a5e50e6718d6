/*
 * Internal to the vlapic model: what the register interfaces
 * (kernel/vlapic_regs.c) and the interrupt state (kernel/vlapic.c) share.
 * Others use vlapic.h. Section numbers are the Intel SDM Vol. 3A's.
 */
#ifndef KERNEL_VLAPIC_REGS_H
#define KERNEL_VLAPIC_REGS_H

#include "kernel/vlapic.h"

/* IA32_APIC_BASE, figure 11-5. Reserved above bit 51, the largest MAXPHYADDR. */
#define APIC_BASE_BSP (1ULL << 8)
#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_EN (1ULL << 11)
#define APIC_BASE_ADDR 0x000ffffffffff000ULL
#define APIC_BASE_MODE (APIC_BASE_EN | APIC_BASE_EXTD)

/* SVR bit 8: the APIC software enable (11.4.7.2). */
#define SVR_ENABLE (1u << 8)

/* ICR, figure 11-12 and 11.12.9 (x2APIC). */
#define ICR_DELIVERY(lo) (((lo) >> 8) & 7)
#define ICR_FIXED 0
#define ICR_NMI 4 /* delivery mode 100b, SDM Vol. 3A 11.6.1 table */
#define ICR_LOGICAL (1u << 11)
#define ICR_SHORTHAND(lo) (((lo) >> 18) & 3)
#define ICR_SELF 1
#define ICR_ALL_INCL 2
#define ICR_ALL_EXCL 3
#define ICR_LO_WRITABLE 0x000ccfffu /* delivery status (12) is read-only */
#define ICR_X2_RESERVED 0xfff32000u /* bits 31:20, 17:16, 13 */
#define ICR_X2_STATUS (1u << 12) /* gone in x2APIC: ignored, not faulted */

/* Power-up register state (11.4.7.1); ID, IA32_APIC_BASE, rates and counters stay. */
void vlapic_reset_regs(struct vlapic *l);

/* The processor priority, PPR (11.8.3.1). */
uint32_t vlapic_ppr(const struct vlapic *l);

/* An EOI write: retire the highest-priority in-service vector (11.8.5). */
void vlapic_eoi(struct vlapic *l);

/* Send the IPI an ICR low word lo and destination dest describe (11.6.1). */
void vlapic_send_ipi(struct vlapic *l, uint32_t lo, uint32_t dest);

#endif
