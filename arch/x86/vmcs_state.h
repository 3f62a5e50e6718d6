/*
 * The part of a guest's CPU state that lives in the VMCS guest-state area
 * (SDM Vol. 3C 25.4), saved to and loaded from a struct gs_cpu through one
 * table of fields (ACRN's save_world_ctx/load_world_ctx). Pure: the VMCS
 * is reached through struct vmcs_access, which the host tests fake with
 * an array keyed by field encoding.
 *
 * CR0 and CR4 are not in the table: the guest's values are the read
 * shadows, and loading them needs the VMX fixed bits (arch/x86/vcpu_state.c).
 */
#ifndef ARCH_X86_VMCS_STATE_H
#define ARCH_X86_VMCS_STATE_H

#include "kernel/guest_state.h"

struct vmcs_access {
	uint64_t (*read)(void *ctx, uint32_t field);
	void (*write)(void *ctx, uint32_t field, uint64_t value);
	void *ctx;
};

/* Number of fields in the table, and field i's encoding (for tests). */
size_t vmcs_state_field_count(void);
uint32_t vmcs_state_field(size_t i);

/* Copy every table field from the VMCS into c. */
void vmcs_state_save(const struct vmcs_access *vmcs, struct gs_cpu *c);

/* Copy every table field from c into the VMCS. */
void vmcs_state_load(const struct vmcs_access *vmcs, const struct gs_cpu *c);

#endif
