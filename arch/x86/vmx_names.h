/*
 * Names for VMX numbers, so every log line and diagnostic says what
 * happened in the SDM's words. Pure.
 */
#ifndef ARCH_X86_VMX_NAMES_H
#define ARCH_X86_VMX_NAMES_H

#include "lib/types.h"

/* Name of a basic exit reason ("EPT violation"), or "unknown". */
const char *vmx_exit_reason_name(uint32_t basic_reason);

/* Short identifier of a basic exit reason for counters ("ept_violation"). */
const char *vmx_exit_reason_id(uint32_t basic_reason);

/* Text of a VM-instruction error number (SDM Vol. 3C 31.4), or "unknown". */
const char *vmx_insn_error_name(uint32_t error);

#endif
