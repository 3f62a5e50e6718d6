/* Host stand-ins for migrate/tls_platform.h (tests/unit/tls_host.c). */
#ifndef TESTS_UNIT_TLS_HOST_H
#define TESTS_UNIT_TLS_HOST_H

#include <stdbool.h>

/* Make mbedtls_hardware_poll fail (true) or work again (false). */
void tls_host_fail_entropy(bool fail);

#endif
