/*
 * The 8254 PIT, used only as a reference clock to calibrate the TSC and
 * the local APIC timer.
 */
#ifndef ARCH_X86_PIT_H
#define ARCH_X86_PIT_H

#include "lib/types.h"

#define PIT_HZ 1193182

/*
 * Busy-wait ms milliseconds (at most 50) on PIT channel 2, calling
 * nothing. Returns false if the channel never finished (no PIT).
 */
bool pit_wait_ms(unsigned ms);

#endif
