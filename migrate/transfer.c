/*
 * lwIP plumbing for migration (see transfer.h).
 */
#include "lwip/ip_addr.h"
#include "migrate/transfer.h"

/* lwIP's tcp_write takes a u16_t length. */
#define WRITE_MAX 0xffffu

int transfer_connect(struct tcp_pcb **out, uint32_t addr, uint16_t port,
		     tcp_connected_fn connected, tcp_sent_fn sent, tcp_recv_fn recv,
		     tcp_err_fn err)
{
	struct tcp_pcb *pcb = tcp_new();
	ip_addr_t dst;

	if (!pcb)
		return -ENOMEM;
	tcp_recv(pcb, recv);
	tcp_sent(pcb, sent);
	tcp_err(pcb, err);
	ip_addr_set_ip4_u32_val(dst, lwip_htonl(addr));
	if (tcp_connect(pcb, &dst, port, connected) != ERR_OK) {
		transfer_detach(pcb);
		tcp_abort(pcb); /* still CLOSED: only frees it */
		return -EIO;
	}
	*out = pcb;
	return 0;
}

size_t transfer_write(struct tcp_pcb *pcb, const uint8_t *buf, size_t n)
{
	size_t done = 0, len;
	err_t err;

	while (pcb && done < n) {
		len = MIN(MIN(n - done, (size_t)tcp_sndbuf(pcb)), (size_t)WRITE_MAX);
		if (!len)
			break;
		err = tcp_write(pcb, buf + done, (u16_t)len,
				TCP_WRITE_FLAG_COPY | (done + len < n ? TCP_WRITE_FLAG_MORE : 0));
		if (err == ERR_MEM)
			break; /* segments exhausted: acknowledgements free them */
		if (err != ERR_OK)
			return TRANSFER_FAILED;
		done += len;
	}
	return done;
}

void transfer_detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
}

const char *transfer_errname(int err)
{
	switch (err) {
	case -ENOMEM: return "out of memory";
	case -EIO: return "I/O error";
	case -ETIMEDOUT: return "timed out";
	case -ECONNRESET: return "connection reset";
	case -ECONNREFUSED: return "connection refused";
	case -EPROTO: return "protocol error";
	case -ENOSPC: return "record does not fit";
	default: return "error";
	}
}
