/*
 * migrate/tls.c against mbedTLS's own test programs, ssl_client2 and
 * ssl_server2, built from the fetched source with mbedTLS's default
 * configuration (tests/unit/tls_host.mk): an independent peer, so the
 * two suites and the PSK exchange are checked against more than
 * ourselves. Over TCP on 127.0.0.1, ports chosen by the kernel.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "greatest.h"
#include "unit_order.h"
#include "migrate/tls.h"

#define ID "hv-interop"
#define KEY_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define REPLY "HTTP/1.0 200 OK\r\n\r\nhello from the hypervisor's TLS\r\n"
#define DEADLINE_MS 8000

static uint8_t key[32];
static struct mtls *sess;
static pid_t child;
static int sock = -1, lsock = -1, out_fd = -1;

static void setup(void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	sess = NULL;
	child = 0;
	signal(SIGPIPE, SIG_IGN);
}

static void teardown(void *arg)
{
	(void)arg;
	mtls_free(sess);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (sock >= 0)
		close(sock);
	if (lsock >= 0)
		close(lsock);
	if (out_fd >= 0)
		close(out_fd);
	sock = lsock = out_fd = -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A listening socket on 127.0.0.1 at a port the kernel picks. */
static int listen_any(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1) ||
	    getsockname(s, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return s;
}

/* Start prog with args; its stdout and stderr go to out_fd. */
static pid_t spawn(const char *prog, char *const argv[])
{
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(prog, argv);
		_exit(127);
	}
	close(fds[1]);
	out_fd = fds[0];
	return pid;
}

/* Move bytes between the socket and the session once; false when the socket is done. */
static bool shuttle(void)
{
	uint8_t buf[4096];
	struct pollfd p = { .fd = sock, .events = POLLIN };
	size_t n;
	ssize_t r;

	while ((n = mtls_take_ciphertext(sess, buf, sizeof(buf))) > 0)
		if (write(sock, buf, n) != (ssize_t)n)
			return false;
	if (poll(&p, 1, 20) <= 0)
		return true;
	r = read(sock, buf, MIN(sizeof(buf), mtls_ciphertext_room(sess)));
	if (r <= 0) {
		mtls_put_eof(sess);
		return false;
	}
	mtls_put_ciphertext(sess, buf, (size_t)r);
	return true;
}

/* Read plaintext until it holds want (or time runs out). */
static bool read_until(char *got, size_t max, const char *want)
{
	size_t len = 0;
	long end = now_ms() + DEADLINE_MS;
	bool open = true;

	got[0] = '\0';
	while (!strstr(got, want) && now_ms() < end && !mtls_error(sess)) {
		int n;

		open = open && shuttle();
		n = mtls_read(sess, got + len, max - 1 - len);
		if (n > 0)
			len += (size_t)n, got[len] = '\0';
		if (!open && n <= 0)
			break;
	}
	return strstr(got, want) != NULL;
}

/* Wait for the child; true when it exited with status 0. */
static bool child_ok(void)
{
	int st = 0;
	long end = now_ms() + DEADLINE_MS;

	while (waitpid(child, &st, WNOHANG) == 0) {
		if (now_ms() > end)
			return false;
		usleep(10000);
	}
	child = 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* ssl_client2 (forcing suite, if any) against our server. */
static enum greatest_test_res client2_to_us(const char *suite, const char *expect)
{
	char port_arg[32], force[96], got[4096];
	uint16_t port;
	char *argv[] = { SSL_CLIENT2, "server_addr=127.0.0.1", port_arg, "psk=" KEY_HEX,
			 "psk_identity=" ID, "force_version=tls12", "debug_level=0",
			 suite ? force : NULL, NULL };

	lsock = listen_any(&port);
	ASSERT(lsock >= 0);
	snprintf(port_arg, sizeof(port_arg), "server_port=%u", port);
	snprintf(force, sizeof(force), "force_ciphersuite=%s", suite ? suite : "");
	child = spawn(SSL_CLIENT2, argv);
	ASSERT(child > 0);
	sock = accept(lsock, NULL, NULL);
	ASSERT(sock >= 0);
	ASSERT_EQ(0, mtls_init_server(&sess, key, sizeof(key), ID));
	ASSERT(read_until(got, sizeof(got), "\r\n\r\n"));
	ASSERT_STR_EQ(expect, mtls_cipher_suite(sess));
	ASSERT_EQ((int)strlen(REPLY), mtls_write(sess, REPLY, strlen(REPLY)));
	mtls_close(sess);
	shuttle();
	ASSERT(child_ok());
	PASS();
}

TEST ssl_client2_meets_our_server_with_chacha20_poly1305(void)
{
	CHECK_CALL(client2_to_us(NULL, "TLS-PSK-WITH-CHACHA20-POLY1305-SHA256"));
	PASS();
}

TEST ssl_client2_meets_our_server_with_aes_128_gcm(void)
{
	CHECK_CALL(client2_to_us("TLS-PSK-WITH-AES-128-GCM-SHA256",
				 "TLS-PSK-WITH-AES-128-GCM-SHA256"));
	PASS();
}

TEST ssl_client2_with_another_key_is_refused(void)
{
	char port_arg[32], got[64];
	uint16_t port;
	char *argv[] = { SSL_CLIENT2, "server_addr=127.0.0.1", port_arg,
			 "psk=ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
			 "psk_identity=" ID, "force_version=tls12", "debug_level=0", NULL };

	lsock = listen_any(&port);
	ASSERT(lsock >= 0);
	snprintf(port_arg, sizeof(port_arg), "server_port=%u", port);
	child = spawn(SSL_CLIENT2, argv);
	sock = accept(lsock, NULL, NULL);
	ASSERT(sock >= 0);
	ASSERT_EQ(0, mtls_init_server(&sess, key, sizeof(key), ID));
	ASSERT_FALSE(read_until(got, sizeof(got), "\r\n\r\n"));
	ASSERT_EQ(-EPERM, mtls_error(sess));
	ASSERT(strstr(mtls_error_text(sess), "wrong key"));
	shuttle(); /* our alert goes out */
	ASSERT_FALSE(child_ok());
	PASS();
}

/* Connect to 127.0.0.1:port, retrying while the server starts. */
static int connect_retry(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long end = now_ms() + DEADLINE_MS;

	while (now_ms() < end) {
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (!connect(s, (struct sockaddr *)&a, sizeof(a)))
			return s;
		close(s);
		usleep(20000);
	}
	return -1;
}

TEST our_client_meets_ssl_server2(void)
{
	char port_arg[32], got[8192];
	uint16_t port;
	char *argv[] = { SSL_SERVER2, "server_addr=127.0.0.1", port_arg, "psk=" KEY_HEX,
			 "psk_identity=" ID, "force_version=tls12", "debug_level=0", NULL };
	const char *req = "GET / HTTP/1.0\r\n\r\n";

	/* ssl_server2 binds the port itself: learn a free one, then free it */
	lsock = listen_any(&port);
	ASSERT(lsock >= 0);
	close(lsock);
	lsock = -1;
	snprintf(port_arg, sizeof(port_arg), "server_port=%u", port);
	child = spawn(SSL_SERVER2, argv);
	ASSERT(child > 0);
	sock = connect_retry(port);
	ASSERT(sock >= 0);
	ASSERT_EQ(0, mtls_init_client(&sess, key, sizeof(key), ID));
	while (!mtls_handshake_done(sess) && !mtls_error(sess) && shuttle())
		;
	ASSERT_STR_EQ("", mtls_error_text(sess));
	ASSERT_STR_EQ("TLS-PSK-WITH-CHACHA20-POLY1305-SHA256", mtls_cipher_suite(sess));
	ASSERT_EQ((int)strlen(req), mtls_write(sess, req, strlen(req)));
	ASSERT(read_until(got, sizeof(got), "mbed TLS Test Server"));
	PASS();
}

SUITE(tls_interop)
{
	SET_SETUP(setup, NULL);
	SET_TEARDOWN(teardown, NULL);
	SHUFFLED_TESTS({
		RUN_TEST(ssl_client2_meets_our_server_with_chacha20_poly1305);
		RUN_TEST(ssl_client2_meets_our_server_with_aes_128_gcm);
		RUN_TEST(ssl_client2_with_another_key_is_refused);
		RUN_TEST(our_client_meets_ssl_server2);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(tls_interop);
	});
	GREATEST_MAIN_END();
}
