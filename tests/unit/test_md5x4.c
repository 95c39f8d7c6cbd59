/* MD5 of four messages at once (sim/md5x4.h) against RFC 1321's test suite and libmd. */
#include <md5.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/md5x4.h"
#include "sim/rng.h"

static void hex(const uint8_t d[16], char out[33])
{
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* RFC 1321, A.5, whose messages fit one block, in every lane. */
static void rfc_1321_digests_in_every_lane(void **state)
{
	(void)state;
	static const char *const suite[][2] = {
	        {"", "d41d8cd98f00b204e9800998ecf8427e"},
	        {"a", "0cc175b9c0f1b6a831c399e269772661"},
	        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
	        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
	        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
	        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	         "d174ab98d277d9f5a5611c2c9f419d9f"},
	};
	size_t n = sizeof suite / sizeof suite[0];
	for (size_t first = 0; first < n; first++) {
		const char *msg[4];
		size_t len[4];
		uint8_t digest[4][16];
		for (int i = 0; i < 4; i++) {
			msg[i] = suite[(first + (size_t)i) % n][0];
			len[i] = strlen(msg[i]);
			if (len[i] > SIM_MD5X4_MAX_LEN) { /* the 62-byte one: two blocks, libmd's */
				msg[i] = suite[0][0];
				len[i] = 0;
			}
		}
		sim_md5x4(msg, len, digest);
		for (int i = 0; i < 4; i++) {
			char got[33];
			hex(digest[i], got);
			for (size_t k = 0; k < n; k++)
				if (suite[k][0] == msg[i])
					assert_string_equal(got, suite[k][1]);
		}
	}
}

/* Random messages of every length up to the one-block limit, bytes of every value, against
 * libmd's MD5. */
static void random_messages_match_libmd(void **state)
{
	(void)state;
	gsl_rng *r = sim_rng_create(7);
	char text[4][SIM_MD5X4_MAX_LEN];
	for (int round = 0; round < 2000; round++) {
		const char *msg[4];
		size_t len[4];
		for (int i = 0; i < 4; i++) {
			len[i] = (size_t)(sim_rng_u64(r) % (SIM_MD5X4_MAX_LEN + 1));
			for (size_t b = 0; b < len[i]; b++)
				text[i][b] = (char)(sim_rng_u64(r) & 0xFF);
			msg[i] = text[i];
		}
		uint8_t digest[4][16];
		sim_md5x4(msg, len, digest);
		for (int i = 0; i < 4; i++) {
			MD5_CTX ctx;
			uint8_t want[16];
			MD5Init(&ctx);
			MD5Update(&ctx, (const uint8_t *)msg[i], len[i]);
			MD5Final(want, &ctx);
			assert_memory_equal(digest[i], want, 16);
		}
	}
	gsl_rng_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(rfc_1321_digests_in_every_lane),
	        cmocka_unit_test(random_messages_match_libmd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
