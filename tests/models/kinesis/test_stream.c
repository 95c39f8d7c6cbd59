/* Streams and shards: key -> shard mapping and the write limit (docs/model.md "Streams"); the
 * shard's log is tested in tests/models/core/test_log.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/core/record.h"
#include "models/kinesis/shard.h"
#include "models/kinesis/stream.h"

/* Expected shards from an independent MD5 (Python's hashlib) of each key, as a 128-bit
 * big-endian number divided by floor(2^128 / N). */
static void keys_map_to_shards_by_md5_hash_ranges(void **state)
{
	(void)state;
	static const struct {
		const char *key;
		size_t shard[6]; /* for N = 1, 2, 3, 4, 8, 7 */
	} cases[] = {
	        {"k0", {0, 0, 0, 0, 1, 1}},      /* md5 28d61f7b... */
	        {"k1", {0, 1, 2, 2, 5, 4}},      /* md5 b637b17a... */
	        {"k2", {0, 0, 1, 1, 3, 2}},      /* md5 61620957... */
	        {"k9999", {0, 1, 2, 2, 5, 5}},   /* md5 b76ee70b... */
	        {"user-42", {0, 0, 1, 1, 3, 3}}, /* md5 7631bc07... */
	        {"", {0, 1, 2, 3, 6, 5}},        /* md5 d41d8cd9... */
	};
	static const size_t n[] = {1, 2, 3, 4, 8, 7};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (size_t j = 0; j < 6; j++)
			assert_int_equal(
			        ks_stream_shard_for_key(n[j], cases[i].key, strlen(cases[i].key)),
			        cases[i].shard[j]);
}

/* The hash is the whole digest: keys short enough for one MD5 block (up to 55 bytes, padded
 * by stream.c itself) and longer ones, against Python's hashlib. */
static void key_hash_is_the_md5_digest_on_both_sides_of_one_block(void **state)
{
	(void)state;
	static const struct {
		size_t len;
		const char *md5;
	} cases[] = {
	        {0, "d41d8cd98f00b204e9800998ecf8427e"},   {55, "ef1772b6dff9a122358552954ad0df65"},
	        {56, "3b0c8ac703f828b04c6c197006d17218"},  {64, "014842d480b571495a4a0363793f7367"},
	        {119, "8a7bd0732ed6a28ce75f6dabc90e1613"},
	};
	char key[128];
	memset(key, 'a', sizeof key);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ks_hash h = ks_stream_key_hash(key, cases[i].len);
		char hex[33];
		for (int b = 0; b < 16; b++)
			snprintf(hex + 2 * b, 3, "%02x", (unsigned)(uint8_t)(h >> (8 * (15 - b))));
		assert_string_equal(hex, cases[i].md5);
	}
}

/* A key's text as the producers write it: "k" and the number, "hot" past the regular keys. */
static void key_text_is_k_and_the_number_or_hot(void **state)
{
	(void)state;
	static const struct {
		uint32_t k, count;
		const char *text;
	} cases[] = {{0, 1, "k0"},
	             {9, 10, "k9"},
	             {10, 11, "k10"},
	             {1234567, 2000000, "k1234567"},
	             {16777215, 16777216, "k16777215"},
	             {5, 5, "hot"},
	             {0, 0, "hot"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char key[13];
		key[ks_record_key_text(key, cases[i].k, cases[i].count)] = '\0';
		assert_string_equal(key, cases[i].text);
	}
}

static ks_read_limiter_config read_config(void)
{
	return (ks_read_limiter_config){.kind = KS_READ_SLIDING_WINDOW,
	                                .calls_per_s = 5,
	                                .bytes_per_s = 2097152,
	                                .tolerance = SIM_S};
}

/* Accepted records over 10 s of 1,200 records/s of 100 B: 1,000/s plus the one-second burst. */
static void token_bucket_accepts_a_thousand_records_per_second(void **state)
{
	(void)state;
	ks_write_limiter_config w = {.records_per_s = 1000, .bytes_per_s = 1048576};
	ks_read_limiter_config r = read_config();
	ks_shard s;
	ks_shard_init(&s, NULL, 0, 24 * SIM_HOUR, NULL, &w, &r);
	int accepted = 0;
	for (int i = 0; i < 12000; i++)
		accepted += ks_shard_write_admit(&s, (sim_time)i * SIM_S / 1200, 100);
	/* the bucket starts full (1000) and refills 1000/s for 10 s */
	assert_in_range(accepted, 10999, 11001);
	ks_shard_fini(&s);
}

/* 1,500 records/s of 2 KB (3 MB/s): the byte limit binds before the record limit. */
static void byte_limit_caps_large_records_at_one_mib_per_second(void **state)
{
	(void)state;
	ks_write_limiter_config w = {.records_per_s = 1000, .bytes_per_s = 1048576};
	ks_read_limiter_config r = read_config();
	ks_shard s;
	ks_shard_init(&s, NULL, 0, 24 * SIM_HOUR, NULL, &w, &r);
	double bytes = 0;
	for (int i = 0; i < 15000; i++)
		if (ks_shard_write_admit(&s, (sim_time)i * SIM_S / 1500, 2000))
			bytes += 2000;
	/* a full bucket (1 MiB) plus 10 s of refill, less at most one record's worth */
	assert_true(bytes <= 1048576.0 * 11);
	assert_true(bytes >= 1048576.0 * 11 - 4000);
	ks_shard_fini(&s);
}

static void fixed_window_resets_each_calendar_second(void **state)
{
	(void)state;
	ks_write_limiter_config w = {
	        .fixed_window = true, .records_per_s = 1000, .bytes_per_s = 1048576};
	ks_read_limiter_config r = read_config();
	ks_shard s;
	ks_shard_init(&s, NULL, 0, 24 * SIM_HOUR, NULL, &w, &r);
	int per_second[3] = {0};
	for (int i = 0; i < 3600; i++) {
		sim_time t = (sim_time)i * SIM_S / 1200;
		per_second[t / SIM_S] += ks_shard_write_admit(&s, t, 100);
	}
	for (int k = 0; k < 3; k++)
		assert_int_equal(per_second[k], 1000);
	ks_shard_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(keys_map_to_shards_by_md5_hash_ranges),
	        cmocka_unit_test(key_hash_is_the_md5_digest_on_both_sides_of_one_block),
	        cmocka_unit_test(key_text_is_k_and_the_number_or_hot),
	        cmocka_unit_test(token_bucket_accepts_a_thousand_records_per_second),
	        cmocka_unit_test(byte_limit_caps_large_records_at_one_mib_per_second),
	        cmocka_unit_test(fixed_window_resets_each_calendar_second),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
