/*
 * Unit tests for migrate/tls_keys.c and migrate/cmd_tls.c: the migration's
 * TLS settings from hv.cfg and from `migrate set`, and that no reply
 * ever holds the key or the identity. lib/psk.c's parsing is driven
 * through both (and through tests/unit/test_config.c).
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/config.h"
#include "migrate/cmd_tls.h"
#include "migrate/tls_keys.h"
#include "tests/unit/capture_sink.h"

#define KEY_HEX "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define ID "hv-pair-9"

static struct capture cap;
static struct reply rep;
static const struct reply_sink sink = { capture_write, &cap };

static void setup(void *arg)
{
	struct config c;

	(void)arg;
	config_defaults(&c);
	tls_keys_load(&c);
}

/* Run `migrate set key val` through cmd_tls in mode; returns whether it was a TLS key. */
static bool set(enum reply_mode mode, const char *key, const char *val)
{
	bool mine;

	cap.len = 0;
	cap.out[0] = '\0';
	reply_begin(&rep, mode, &sink, "migrate");
	mine = migrate_tls_set(&rep, key, val);
	if (!rep.failed) {
		reply_obj_begin(&rep, "settings");
		migrate_tls_settings(&rep);
		reply_obj_end(&rep);
	}
	reply_end(&rep);
	return mine;
}

TEST defaults_are_on_without_a_key(void)
{
	const struct tls_keys *k = tls_keys_get();

	ASSERT(k->enabled);
	ASSERT_EQ(0, k->psk_len);
	ASSERT_STR_EQ(TLS_KEYS_DEFAULT_IDENTITY, k->identity);
	ASSERT_FALSE(tls_keys_ready());
	tls_keys_set_enabled(false);
	ASSERT(tls_keys_ready()); /* off needs nothing */
	PASS();
}

TEST loaded_from_hv_cfg(void)
{
	static const char text[] = "migrate.psk = " KEY_HEX "\nmigrate.psk-identity = " ID "\n";
	struct config c;

	config_defaults(&c);
	ASSERT_EQ(0, config_parse(&c, text, sizeof(text) - 1, NULL, 0));
	tls_keys_load(&c);
	ASSERT_EQ(32, tls_keys_get()->psk_len);
	ASSERT_EQ(0x0f, tls_keys_get()->psk[0]);
	ASSERT_EQ(0xf0, tls_keys_get()->psk[31]);
	ASSERT_STR_EQ(ID, tls_keys_get()->identity);
	ASSERT(tls_keys_ready());
	PASS();
}

TEST set_psk_never_echoes_it(void)
{
	enum reply_mode modes[] = { REPLY_TEXT, REPLY_JSON };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		ASSERT(set(modes[i], "psk", KEY_HEX));
		ASSERT_FALSE(rep.failed);
		ASSERT_FALSE(strstr(cap.out, "0f1e2d"));
		ASSERT_FALSE(strstr(cap.out, "0F1E2D"));
		ASSERT(strstr(cap.out, "psk_set"));
		ASSERT(set(modes[i], "psk-identity", ID));
		ASSERT_FALSE(strstr(cap.out, ID));
	}
	ASSERT_STR_EQ(ID, tls_keys_get()->identity);
	ASSERT_EQ(32, tls_keys_get()->psk_len);
	ASSERT(tls_keys_ready());
	PASS();
}

TEST bad_psk_is_refused_unquoted_and_keeps_the_old_key(void)
{
	ASSERT(set(REPLY_TEXT, "psk", KEY_HEX));
	ASSERT(set(REPLY_TEXT, "psk", "0f1e2d3c4b5a69788796a5b4c3d2e1f0zz"));
	ASSERT(rep.failed);
	ASSERT(strstr(cap.out, "value not shown"));
	ASSERT_FALSE(strstr(cap.out, "0f1e2d"));
	ASSERT_EQ(32, tls_keys_get()->psk_len);
	ASSERT_EQ(0x0f, tls_keys_get()->psk[0]);
	ASSERT(set(REPLY_JSON, "psk-identity", "has space"));
	ASSERT(rep.failed);
	ASSERT_FALSE(strstr(cap.out, "has space"));
	PASS();
}

TEST tls_on_off(void)
{
	ASSERT(set(REPLY_TEXT, "tls", "off"));
	ASSERT_FALSE(tls_keys_get()->enabled);
	ASSERT(strstr(cap.out, "tls: false"));
	ASSERT(set(REPLY_TEXT, "tls", "maybe"));
	ASSERT(rep.failed);
	ASSERT_FALSE(tls_keys_get()->enabled);
	ASSERT(set(REPLY_TEXT, "tls", "on"));
	ASSERT(tls_keys_get()->enabled);
	PASS();
}

/* Whether bytes [from, to) of p are all zero. */
static bool zero_from(const void *p, size_t from, size_t to)
{
	const uint8_t *b = p;

	for (; from < to; from++)
		if (b[from])
			return false;
	return true;
}

TEST a_shorter_key_or_name_leaves_nothing_of_the_longer(void)
{
	const struct tls_keys *k = tls_keys_get();
	struct config c;

	ASSERT_EQ(0, tls_keys_set_psk_hex(KEY_HEX KEY_HEX));
	ASSERT_EQ(64, k->psk_len);
	ASSERT_EQ(0, tls_keys_set_psk_hex("00112233445566778899aabbccddeeff"));
	ASSERT_EQ(16, k->psk_len);
	ASSERT_EQ(0xff, k->psk[15]);
	ASSERT(zero_from(k->psk, 16, sizeof(k->psk)));
	ASSERT_EQ(0, tls_keys_set_identity("a-much-longer-identity-name"));
	ASSERT_EQ(0, tls_keys_set_identity("b"));
	ASSERT_STR_EQ("b", k->identity);
	ASSERT(zero_from(k->identity, 1, sizeof(k->identity)));
	config_defaults(&c);
	c.migrate_psk_len = 16;
	memset(c.migrate_psk, 0xab, 16);
	tls_keys_load(&c);
	ASSERT_EQ(0xab, k->psk[15]);
	ASSERT(zero_from(k->psk, 16, sizeof(k->psk)));
	PASS();
}

TEST ready_needs_a_key_and_the_identity_has_a_default(void)
{
	ASSERT_EQ(0, tls_keys_set_identity(ID));
	ASSERT_FALSE(tls_keys_ready()); /* a name is not a key */
	ASSERT_EQ(0, tls_keys_set_psk_hex(KEY_HEX));
	ASSERT(tls_keys_ready());
	ASSERT_EQ(0, tls_keys_set_identity("x")); /* one character is a name too */
	ASSERT(tls_keys_ready());
	setup(NULL);
	ASSERT_FALSE(tls_keys_ready());
	ASSERT_EQ(0, tls_keys_set_psk_hex(KEY_HEX));
	ASSERT(tls_keys_ready()); /* under the default identity */
	ASSERT_STR_EQ(TLS_KEYS_DEFAULT_IDENTITY, tls_keys_get()->identity);
	PASS();
}

TEST settings_say_what_is_set_and_errors_say_what_fits(void)
{
	ASSERT(set(REPLY_TEXT, "tls", "on"));
	ASSERT(strstr(cap.out, "psk_set: false"));
	ASSERT(strstr(cap.out, "psk_identity_set: true")); /* the default */
	ASSERT(strstr(cap.out, "tls_ready: false"));
	ASSERT(set(REPLY_TEXT, "psk", KEY_HEX));
	ASSERT(strstr(cap.out, "psk_set: true"));
	ASSERT(strstr(cap.out, "tls_ready: true"));
	ASSERT(set(REPLY_TEXT, "psk-identity", "x"));
	ASSERT(strstr(cap.out, "psk_identity_set: true"));
	ASSERT(strstr(cap.out, "tls_ready: true"));
	ASSERT(set(REPLY_TEXT, "psk", "00"));
	ASSERT(strstr(cap.out, "32-128 hex digits"));
	ASSERT(set(REPLY_TEXT, "psk-identity", "a b"));
	ASSERT(strstr(cap.out, "1-64 of"));
	PASS();
}

TEST other_settings_are_not_ours(void)
{
	ASSERT_FALSE(set(REPLY_TEXT, "max-rounds", "3"));
	ASSERT_FALSE(set(REPLY_TEXT, "pskx", KEY_HEX));
	PASS();
}

SUITE(tls_keys)
{
	SET_SETUP(setup, NULL);
	SHUFFLED_TESTS({
		RUN_TEST(defaults_are_on_without_a_key);
		RUN_TEST(loaded_from_hv_cfg);
		RUN_TEST(set_psk_never_echoes_it);
		RUN_TEST(bad_psk_is_refused_unquoted_and_keeps_the_old_key);
		RUN_TEST(tls_on_off);
		RUN_TEST(other_settings_are_not_ours);
		RUN_TEST(a_shorter_key_or_name_leaves_nothing_of_the_longer);
		RUN_TEST(ready_needs_a_key_and_the_identity_has_a_default);
		RUN_TEST(settings_say_what_is_set_and_errors_say_what_fits);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(tls_keys);
	});
	GREATEST_MAIN_END();
}
