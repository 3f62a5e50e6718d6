/*
 * Words for what went wrong in a TLS session of migrate/tls.c: an mbedTLS
 * error code (and the alert the peer sent, if that was it) turned into a
 * sentence an operator can act on. Pure.
 */
#ifndef MIGRATE_TLS_ERROR_H
#define MIGRATE_TLS_ERROR_H

#include "lib/types.h"

struct mtls_failure {
	int code;          /* the mbedTLS error (negative) */
	int alert;         /* description of the peer's fatal alert, or -1 */
	bool handshake;    /* it happened before the handshake was done */
	bool unknown_id;   /* our server did not know the client's identity */
};

/* Describe f in buf (size bytes). Never names the key or the identity. */
void mtls_describe(const struct mtls_failure *f, char *buf, size_t size);

/* The errno mtls_error() reports for mbedTLS error code. */
int mtls_errno(int code);

#endif
