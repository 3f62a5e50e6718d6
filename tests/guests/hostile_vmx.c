/*
 * hostile_vmx: instructions a guest must not get to run for real. In VMX
 * non-root operation VMXON, VMCALL and INVD always cause VM exits (SDM
 * Vol. 3C 25.1.2); the hypervisor answers each with #UD. Each one runs
 * under the fault catcher and gets one line:
 *   VMX insn=vmxon outcome=ud | outcome=fault vector=N | outcome=no-fault
 * RESULT hostile_vmx ok when all three raised #UD, else fail naming them.
 * (Plain QEMU/TCG, having no VMX, gives #UD for VMXON and VMCALL and runs
 * INVD, so it reports fail there.) No command-line options.
 */
#include "guest.h"
#include "idt.h"

/* A VMXON region: 4 KiB aligned, its first word the VMCS revision. */
static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint64_t vmxon_pa;

static void do_vmxon(void *arg)
{
	(void)arg;
	/*
	 * The guest's CR4.VMXE stays clear. Natively that alone means #UD;
	 * in VMX non-root the real CR4.VMXE is 1 (a VMX fixed bit, whatever
	 * the guest's CR4 shadow shows), so VMXON exits to the hypervisor.
	 */
	asm volatile("vmxon %0" : : "m"(vmxon_pa) : "memory", "cc");
}

static void do_vmcall(void *arg)
{
	(void)arg;
	asm volatile("vmcall" : : "a"(0), "b"(0), "c"(0), "d"(0) : "memory", "cc");
}

static void do_invd(void *arg)
{
	(void)arg;
	asm volatile("invd" : : : "memory");
}

struct probe {
	const char *name;
	void (*fn)(void *);
};

static const struct probe probes[] = {
	{ "vmxon", do_vmxon },
	{ "vmcall", do_vmcall },
	{ "invd", do_invd },
};

int main(uint32_t magic, const struct mb_info *mbi)
{
	char failed[64] = "";
	size_t used = 0;
	unsigned i, ok = 0;

	(void)magic;
	(void)mbi;
	guest_start("hostile_vmx");
	vmxon_pa = (uint32_t)vmxon_region;
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct fault_info fi;
		int vec = fault_call(probes[i].fn, NULL, &fi);

		if (vec == VEC_UD) {
			printf("VMX insn=%s outcome=ud eip=0x%x\n", probes[i].name, fi.eip);
			ok++;
			continue;
		}
		if (vec < 0)
			printf("VMX insn=%s outcome=no-fault\n", probes[i].name);
		else
			printf("VMX insn=%s outcome=fault vector=%d error=0x%x eip=0x%x\n",
			       probes[i].name, vec, fi.error, fi.eip);
		used += snprintf(failed + used, sizeof(failed) - used, "%s%s",
				 used ? "," : "", probes[i].name);
	}
	if (ok == sizeof(probes) / sizeof(probes[0]))
		guest_ok("ud=%u", ok);
	guest_fail("reason=no-ud insns=%s ud=%u", failed, ok);
}
