/*
 * The table of NICs the drivers found.
 */
#include "kernel/log.h"
#include "net/nic.h"

#define NIC_MAX 4

static struct nic *nics[NIC_MAX];
static int count;

bool nic_register(struct nic *nic)
{
	if (count == NIC_MAX) {
		log_warn("net: %s (%s) ignored: at most %d NICs", nic->name, nic->model, NIC_MAX);
		return false;
	}
	nics[count++] = nic;
	return true;
}

struct nic *nic_get(int i)
{
	return i >= 0 && i < count ? nics[i] : NULL;
}

int nic_count(void)
{
	return count;
}

int nic_next_index(void)
{
	return count;
}
