/*
 * The hypervisor's name and version, reported by the console and the
 * hypervisor CPUID leaf.
 */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define HV_NAME "hv"
#define HV_VERSION "0.1.0"

#endif
