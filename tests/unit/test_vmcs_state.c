/*
 * Unit tests for arch/x86/vmcs_state.c (the VMCS half of the CPU state,
 * through one field table) and arch/x86/boot_state.c (the multiboot
 * state as a record), against a VMCS faked as an array keyed by field
 * encoding.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "arch/x86/boot_state.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmcs_state.h"

#define FIELDS 0x8000 /* guest-state encodings are below 0x6c00, SDM Vol. 3D B */

static uint64_t vmcs[FIELDS];
static uint8_t written[FIELDS];

static uint64_t fake_read(void *ctx, uint32_t field)
{
	return field < FIELDS ? vmcs[field] : 0xdeadbeef;
}

static void fake_write(void *ctx, uint32_t field, uint64_t value)
{
	if (field < FIELDS) {
		vmcs[field] = value;
		written[field]++;
	}
}

static const struct vmcs_access fake = { fake_read, fake_write, NULL };

/* The width of a field, from bits 14:13 of its encoding (SDM Vol. 3C 25.11.2). */
static uint64_t width_mask(uint32_t field)
{
	switch ((field >> 13) & 3) {
	case 0: return 0xffff;
	case 2: return 0xffffffff;
	default: return ~0ULL;
	}
}

/* Every guest-state field the architecture defines that the record keeps
 * (SDM Vol. 3C 25.4.1-25.4.2), listed apart from the table under test. */
static const uint32_t guest_fields[] = {
	VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_SS_SELECTOR,
	VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_GS_SELECTOR,
	VMCS_GUEST_LDTR_SELECTOR, VMCS_GUEST_TR_SELECTOR,
	VMCS_GUEST_ES_LIMIT, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_DS_LIMIT,
	VMCS_GUEST_FS_LIMIT, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_TR_LIMIT,
	VMCS_GUEST_GDTR_LIMIT, VMCS_GUEST_IDTR_LIMIT,
	VMCS_GUEST_ES_AR, VMCS_GUEST_CS_AR, VMCS_GUEST_SS_AR, VMCS_GUEST_DS_AR,
	VMCS_GUEST_FS_AR, VMCS_GUEST_GS_AR, VMCS_GUEST_LDTR_AR, VMCS_GUEST_TR_AR,
	VMCS_GUEST_ES_BASE, VMCS_GUEST_CS_BASE, VMCS_GUEST_SS_BASE, VMCS_GUEST_DS_BASE,
	VMCS_GUEST_FS_BASE, VMCS_GUEST_GS_BASE, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_TR_BASE,
	VMCS_GUEST_GDTR_BASE, VMCS_GUEST_IDTR_BASE,
	VMCS_GUEST_CR3, VMCS_GUEST_DR7, VMCS_GUEST_RSP, VMCS_GUEST_RIP, VMCS_GUEST_RFLAGS,
	VMCS_GUEST_PENDING_DBG, VMCS_GUEST_SYSENTER_CS, VMCS_GUEST_SYSENTER_ESP,
	VMCS_GUEST_SYSENTER_EIP, VMCS_GUEST_IA32_DEBUGCTL, VMCS_GUEST_IA32_PAT,
	VMCS_GUEST_IA32_EFER, VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE1, VMCS_GUEST_PDPTE2,
	VMCS_GUEST_PDPTE3, VMCS_GUEST_INTERRUPTIBILITY, VMCS_GUEST_ACTIVITY_STATE,
};

static void fill_vmcs(uint64_t seed)
{
	size_t i;

	memset(written, 0, sizeof(written));
	for (i = 0; i < FIELDS; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		vmcs[i] = seed & width_mask((uint32_t)i);
	}
}

TEST table_covers_every_guest_field_once(void)
{
	size_t i, j, n = vmcs_state_field_count();

	ASSERT_EQ(sizeof(guest_fields) / sizeof(guest_fields[0]), n);
	for (i = 0; i < n; i++) {
		bool listed = false;

		for (j = 0; j < n; j++)
			listed |= guest_fields[j] == vmcs_state_field(i);
		ASSERTm("table field not a guest-state field", listed);
		for (j = i + 1; j < n; j++)
			ASSERT(vmcs_state_field(i) != vmcs_state_field(j));
	}
	ASSERT_EQ(0u, vmcs_state_field(n));
	PASS();
}

TEST save_then_load_reproduces_every_field(void)
{
	static uint64_t before[FIELDS];
	struct gs_cpu c;
	size_t i;

	fill_vmcs(12345);
	memcpy(before, vmcs, sizeof(vmcs));
	memset(&c, 0, sizeof(c));
	vmcs_state_save(&fake, &c);
	fill_vmcs(999); /* a different VMCS to load into */
	vmcs_state_load(&fake, &c);
	for (i = 0; i < sizeof(guest_fields) / sizeof(guest_fields[0]); i++) {
		uint32_t f = guest_fields[i];

		ASSERT_EQ_FMT(before[f], vmcs[f], "0x%lx");
		ASSERT_EQ(1, written[f]);
	}
	PASS();
}

TEST saved_fields_land_in_the_named_members(void)
{
	struct gs_cpu c;

	fill_vmcs(1);
	vmcs[VMCS_GUEST_CS_SELECTOR] = 0x1b;
	vmcs[VMCS_GUEST_TR_AR] = 0x8b;
	vmcs[VMCS_GUEST_GS_BASE] = 0xffff888000000000ULL;
	vmcs[VMCS_GUEST_RSP] = 0x7ff0;
	vmcs[VMCS_GUEST_IA32_EFER] = 0x500;
	vmcs[VMCS_GUEST_PDPTE3] = 0x1234001;
	vmcs_state_save(&fake, &c);
	ASSERT_EQ(0x1b, c.seg[GS_CS].selector);
	ASSERT_EQ(0x8bu, c.seg[GS_TR].ar);
	ASSERT_EQ(0xffff888000000000ULL, c.seg[GS_GS].base);
	ASSERT_EQ(0x7ff0u, c.gpr[4]);
	ASSERT_EQ(0x500u, c.efer);
	ASSERT_EQ(0x1234001u, c.pdpte[3]);
	PASS();
}

TEST multiboot_state_is_flat_protected_mode(void)
{
	struct gs_cpu c;
	uint32_t mxcsr;
	int i;

	boot_state_multiboot(&c, 0x100010, 0x2badb002, 0x9000, 77);
	ASSERT_EQ(0x100010u, c.rip);
	ASSERT_EQ(0x2badb002u, c.gpr[0]);
	ASSERT_EQ(0x9000u, c.gpr[3]);
	ASSERT_EQ(77u, c.tsc);
	ASSERT_EQ(0x11u, c.cr0);            /* PE and ET, paging off */
	ASSERT_EQ(0x2u, c.rflags);          /* interrupts off */
	ASSERT_EQ(0xc09bu, c.seg[GS_CS].ar); /* 32-bit code, DPL 0 */
	for (i = 0; i < GS_NSEG; i++) {
		if (i == GS_CS || i == GS_LDTR || i == GS_TR)
			continue;
		ASSERT_EQ(0xc093u, c.seg[i].ar);
		ASSERT_EQ(0xffffffffu, c.seg[i].limit);
		ASSERT_EQ(0u, c.seg[i].base);
	}
	ASSERT_EQ(0x10000u, c.seg[GS_LDTR].ar); /* unusable */
	ASSERT_EQ(0x8bu, c.seg[GS_TR].ar);
	ASSERT_EQ(0u, c.efer);
	ASSERT_EQ(0x0007040600070406ULL, c.pat);
	ASSERT_EQ(0xffff0ff0u, c.dr6);
	ASSERT_EQ(0x400u, c.dr7);
	ASSERT_EQ(0x37f, c.fxsave[0] | c.fxsave[1] << 8);
	memcpy(&mxcsr, c.fxsave + 24, 4);
	ASSERT_EQ(0x1f80u, mxcsr);
	PASS();
}

TEST multiboot_state_descriptor_tables_and_system_segments(void)
{
	struct gs_cpu c;

	memset(&c, 0xa5, sizeof(c)); /* nothing left over from before */
	boot_state_multiboot(&c, 0x100010, 0x2badb002, 0x9000, 77);
	/* GDTR and IDTR: base 0, limit 0xffff (the multiboot spec leaves them
	 * undefined; the reset values, SDM Vol. 3A 10.1.1) */
	ASSERT_EQ(0u, c.gdtr_base);
	ASSERT_EQ(0u, c.idtr_base);
	ASSERT_EQ(0xffffu, c.gdtr_limit);
	ASSERT_EQ(0xffffu, c.idtr_limit);
	/* LDTR unusable and empty, TR a busy 32-bit TSS at 0 with limit 0xff */
	ASSERT_EQ(0u, c.seg[GS_LDTR].selector);
	ASSERT_EQ(0u, c.seg[GS_LDTR].limit);
	ASSERT_EQ(0u, c.seg[GS_LDTR].base);
	ASSERT_EQ(0u, c.seg[GS_TR].selector);
	ASSERT_EQ(0xffu, c.seg[GS_TR].limit);
	ASSERT_EQ(0u, c.seg[GS_TR].base);
	ASSERT_EQ(0x08u, c.seg[GS_CS].selector);
	ASSERT_EQ(0x10u, c.seg[GS_SS].selector);
	PASS();
}

SUITE(vmcs_state)
{
	SHUFFLED_TESTS({
		RUN_TEST(table_covers_every_guest_field_once);
		RUN_TEST(save_then_load_reproduces_every_field);
		RUN_TEST(saved_fields_land_in_the_named_members);
		RUN_TEST(multiboot_state_is_flat_protected_mode);
		RUN_TEST(multiboot_state_descriptor_tables_and_system_segments);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vmcs_state);
	});
	GREATEST_MAIN_END();
}
