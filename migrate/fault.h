/*
 * The faults the tests inject into the next outgoing migration
 * (`migrate_fault`, migrate/cmd_migrate.c), each as a faulty or hostile
 * link would cause it. Armed once; the next connection takes them.
 */
#ifndef MIGRATE_FAULT_H
#define MIGRATE_FAULT_H

enum migrate_fault {
	MIGRATE_FAULT_CORRUPT,  /* flip one bit of wire byte OFFSET (after TLS, if on) */
	MIGRATE_FAULT_TRUNCATE, /* send only OFFSET wire bytes, then close */
	MIGRATE_FAULT_RECORD,   /* keep a copy of the first MCHAN_RECORD_BYTES sent */
	MIGRATE_FAULT_REPLAY,   /* send the recorded bytes instead of a handshake and stream */
};

#endif
