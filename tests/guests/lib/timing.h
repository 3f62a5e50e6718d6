/*
 * Time sources: the hypervisor's timing CPUID leaf (the VMware/KVM
 * convention: 0x40000010 EAX = TSC kHz, EBX = APIC bus kHz) when present,
 * else calibration against PIT channel 2.
 */
#ifndef GUEST_TIMING_H
#define GUEST_TIMING_H

#include <stdint.h>

#define HV_LEAF_BASE 0x40000000u
#define HV_LEAF_TIMING 0x40000010u
#define HV_SIGNATURE "HVmicrovisor"

/* True when CPUID 0x40000000 carries our signature and the timing leaf. */
int hv_present(void);

/* Leaf 0x40000010 EAX (TSC kHz) and EBX (APIC bus kHz); 0s when absent. */
void hv_timing(uint32_t *tsc_khz, uint32_t *bus_khz);

/*
 * Rate of a rising counter in kHz, measured against PIT channel 2 (median
 * of five 30 ms windows, about 150 ms in all). 0 when no PIT answers.
 */
uint32_t pit_rate_khz(uint64_t (*read)(void));

/* Guest TSC frequency in kHz (cached): CPUID leaf, else PIT; 0 if neither. */
uint32_t tsc_khz(void);

/* "cpuid" or "pit" (or "none"): where tsc_khz() got its answer. */
const char *tsc_source(void);

/* Convert TSC ticks to microseconds at the tsc_khz() rate. */
uint64_t tsc_to_us(uint64_t ticks);

#endif
