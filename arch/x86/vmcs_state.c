/*
 * The VMCS guest-state fields of a struct gs_cpu, one table for both
 * directions. Pure: see vmcs_state.h.
 */
#include <stddef.h>
#include <string.h>
#include "arch/x86/vmcs.h"
#include "arch/x86/vmcs_state.h"

struct vmcs_state_field {
	uint32_t field;  /* VMCS encoding, SDM Vol. 3D appendix B */
	uint16_t offset; /* into struct gs_cpu */
	uint8_t size;    /* bytes of the struct member */
};

#define F(field, member) { field, offsetof(struct gs_cpu, member), sizeof(((struct gs_cpu *)0)->member) }
#define SEG(name, i) \
	F(VMCS_GUEST_##name##_SELECTOR, seg[i].selector), F(VMCS_GUEST_##name##_LIMIT, seg[i].limit), \
	F(VMCS_GUEST_##name##_AR, seg[i].ar), F(VMCS_GUEST_##name##_BASE, seg[i].base)

static const struct vmcs_state_field fields[] = {
	SEG(ES, GS_ES), SEG(CS, GS_CS), SEG(SS, GS_SS), SEG(DS, GS_DS),
	SEG(FS, GS_FS), SEG(GS, GS_GS), SEG(LDTR, GS_LDTR), SEG(TR, GS_TR),
	F(VMCS_GUEST_GDTR_BASE, gdtr_base), F(VMCS_GUEST_GDTR_LIMIT, gdtr_limit),
	F(VMCS_GUEST_IDTR_BASE, idtr_base), F(VMCS_GUEST_IDTR_LIMIT, idtr_limit),
	F(VMCS_GUEST_RSP, gpr[4]), F(VMCS_GUEST_RIP, rip), F(VMCS_GUEST_RFLAGS, rflags),
	F(VMCS_GUEST_CR3, cr3), F(VMCS_GUEST_DR7, dr7),
	F(VMCS_GUEST_IA32_EFER, efer), F(VMCS_GUEST_IA32_PAT, pat),
	F(VMCS_GUEST_IA32_DEBUGCTL, debugctl),
	F(VMCS_GUEST_SYSENTER_CS, sysenter_cs), F(VMCS_GUEST_SYSENTER_ESP, sysenter_esp),
	F(VMCS_GUEST_SYSENTER_EIP, sysenter_eip),
	F(VMCS_GUEST_PDPTE0, pdpte[0]), F(VMCS_GUEST_PDPTE1, pdpte[1]),
	F(VMCS_GUEST_PDPTE2, pdpte[2]), F(VMCS_GUEST_PDPTE3, pdpte[3]),
	F(VMCS_GUEST_INTERRUPTIBILITY, interruptibility),
	F(VMCS_GUEST_ACTIVITY_STATE, activity), F(VMCS_GUEST_PENDING_DBG, pending_dbg),
};

size_t vmcs_state_field_count(void)
{
	return sizeof(fields) / sizeof(fields[0]);
}

uint32_t vmcs_state_field(size_t i)
{
	return i < vmcs_state_field_count() ? fields[i].field : 0;
}

void vmcs_state_save(const struct vmcs_access *vmcs, struct gs_cpu *c)
{
	size_t i;

	for (i = 0; i < vmcs_state_field_count(); i++) {
		uint64_t v = vmcs->read(vmcs->ctx, fields[i].field);

		/* little-endian: the low bytes of v are the member's value */
		memcpy((uint8_t *)c + fields[i].offset, &v, fields[i].size);
	}
}

void vmcs_state_load(const struct vmcs_access *vmcs, const struct gs_cpu *c)
{
	size_t i;

	for (i = 0; i < vmcs_state_field_count(); i++) {
		uint64_t v = 0;

		memcpy(&v, (const uint8_t *)c + fields[i].offset, fields[i].size);
		vmcs->write(vmcs->ctx, fields[i].field, v);
	}
}
