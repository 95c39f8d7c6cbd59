/* A schema walker for YAML trees: checks a document against a static description, reports
 * every mistake through diag.h, and fills in defaults so the tree becomes the resolved document.
 *
 * The description is data (arrays of sim_schema). Messages:
 *   unknown key 'batch_sise' in kinesis trigger; did you mean 'batch_size'?
 *   missing required key 'shards' in stream 'events'
 *   shards must be an integer (got 'four')
 *   enhanced_fanout must be true or false (got 'yes')
 *   mode must be one of provisioned, on_demand (got 'provisoned'); did you mean 'provisioned'?
 *   no stream named 'event'; did you mean 'events'?        (a REF, through the caller's names)
 *   rate needs a unit, e.g. '10/s' (got '10')            (units.h phrases after the key name)
 *   parallelization_factor must be 1..10 (got 11)
 *   retention must be 24h..8760h (got 1h)                 (a soft range: a warning when the
 *                                                          caller asks, else an error and
 *                                                          the caller's hint)
 *   'reshard' is not implemented yet in this version of kinesim
 * Each is reported at the offending node (a missing key: at the key of the map that lacks it;
 * an unknown key: at the key). After sim_schema_check succeeded, the typed getters below read
 * values without failing (they assert), and sim_schema_fill copies a map's values into the
 * caller's config struct, as the rows' SIM_SCHEMA_AT say. */
#ifndef SIM_SCHEMA_H
#define SIM_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/dist.h"
#include "sim/time.h"
#include "sim/units.h"
#include "sim/yaml.h"

typedef enum {
	SIM_SCHEMA_MAP,      /* fixed keys: children[] (terminated by a NULL key) */
	SIM_SCHEMA_DICT,     /* a map of user-chosen names to values following *item */
	SIM_SCHEMA_SEQ,      /* a list whose items follow *item (a scalar is not a list) */
	SIM_SCHEMA_VARIANT,  /* a map that holds exactly one of the children's keys, which picks
	                      * the child (a MAP) its other keys follow, e.g. a trigger holds
	                      * `kinesis:` or `sqs:`; the picked child lists its own key too */
	SIM_SCHEMA_STRING,   /* any scalar */
	SIM_SCHEMA_REF,      /* a scalar naming an entity of the kinds in refs, resolved through
	                      * the caller's sim_schema_names (without one: a STRING) */
	SIM_SCHEMA_BOOL,     /* true | false */
	SIM_SCHEMA_INT,      /* integer, range [min, max] when max > min */
	SIM_SCHEMA_NUMBER,   /* real number, range [min, max] when max > min */
	SIM_SCHEMA_ENUM,     /* one of values[] by name */
	SIM_SCHEMA_DURATION, /* range in ns */
	SIM_SCHEMA_SIZE,     /* range in bytes; SI MB */
	SIM_SCHEMA_SIZE_BINARY_MB, /* range in bytes; KB MB GB read as KiB MiB GiB */
	SIM_SCHEMA_RATE,           /* range in per-second */
	SIM_SCHEMA_FRACTION,       /* always [0, 1] */
	SIM_SCHEMA_DIST_DURATION,  /* a duration or {dist: ...} of durations */
	SIM_SCHEMA_DIST_SIZE,      /* a size or {dist: ...} of sizes */
	SIM_SCHEMA_ANY,            /* checked by the caller */
} sim_schema_kind;

enum {
	SIM_SCHEMA_REQUIRED = 1u << 0,
	SIM_SCHEMA_NEG1 = 1u << 1,       /* a bare -1 (infinite) is accepted besides the range */
	SIM_SCHEMA_SOFT_RANGE = 1u << 2, /* the caller may turn a violation into a warning (e.g. a
	                                  * service's documented range, not a modelling limit) */
	SIM_SCHEMA_NOT_IMPLEMENTED = 1u << 3, /* present with a value other than def: error */
	SIM_SCHEMA_FILL = 1u << 4, /* MAP: create it when absent, so its defaults appear */
};

/* One value of an ENUM: its name in the YAML and the number the caller reads. A table ends
 * with {NULL, 0}; messages list the names in table order. */
typedef struct sim_schema_value {
	const char *name;
	int value;
} sim_schema_value;

typedef struct sim_schema {
	const char *key; /* NULL ends a children[] array */
	sim_schema_kind kind;
	const char *def; /* default as YAML text, filled in when absent; NULL: none */
	unsigned flags;
	double min, max;                /* range in base units when max > min */
	const sim_schema_value *values; /* ENUM */
	const char *refs;               /* REF: the kinds of entity it may name, meaningful to the
	                                 * caller's resolver (e.g. "queues topics") */
	const struct sim_schema *children; /* MAP, VARIANT */
	const struct sim_schema *item;     /* DICT, SEQ */
	const char *what; /* how messages name it: "kinesis trigger", "stream" (DICT items get
	                   * "stream 'events'"); NULL: the key */
	size_t offset;    /* sim_schema_fill: offsetof the field in the caller's struct plus one;
	                   * 0: not filled. Set both with SIM_SCHEMA_AT. */
	size_t size;      /* sim_schema_fill: sizeof the field */
} sim_schema;

/* The field a row fills, in a table initializer:
 *   {.key = "batch_size", .kind = SIM_SCHEMA_INT, SIM_SCHEMA_AT(ks_esm_config, batch_size)} */
#define SIM_SCHEMA_AT(type, field)                                                                 \
	.offset = offsetof(type, field) + 1, .size = sizeof(((type *)0)->field)

/* The caller's entities, which REF values name. */
typedef struct sim_schema_names {
	/* Whether an entity of one of `kinds` is named `name`. */
	bool (*exists)(void *ctx, const char *kinds, const char *name);
	/* The names of the entities of `kinds` (for "did you mean"): up to max into out; returns
	 * how many. */
	size_t (*list)(void *ctx, const char *kinds, const char **out, size_t max);
	/* How messages name an entity of `kinds`, e.g. "stream" or "queue, topic or bucket":
	 * writes into buf. */
	void (*noun)(void *ctx, const char *kinds, char *buf, size_t len);
	void *ctx;
} sim_schema_names;

typedef struct sim_schema_options {
	bool soft_ranges_warn;         /* soft ranges are warnings */
	const char *soft_range_hint;   /* printed after a soft range error; NULL: none */
	const sim_schema_names *names; /* REF resolver; NULL: REFs are plain strings */
} sim_schema_options;

/* Checks node against s (the root is a MAP schema with key NULL allowed), reporting through d
 * and filling defaults into doc. opt (NULL: all defaults): soft_ranges_warn turns violations
 * of SIM_SCHEMA_SOFT_RANGE ranges into warnings; otherwise each such error is followed by the
 * hint soft_range_hint (NULL: none), which tells the user how to relax them. A REF that names
 * nothing is reported as "no <noun> named 'x'", with a "did you mean" when the names offer
 * one. Returns the number of errors reported. */
size_t sim_schema_check(sim_yaml_doc *doc, sim_yaml_node *node, const sim_schema *s,
                        const sim_schema_options *opt, sim_diag *d);

/* Copies map's values into the struct at out: for each row of children (a NULL-key-ended
 * table) with an offset whose key is in map, the typed value goes to (char *)out + offset - 1.
 * BOOL: bool; INT: int32_t or int64_t by size; NUMBER, FRACTION, SIZE, SIZE_BINARY_MB: double
 * (bytes for sizes); RATE: double per second; DURATION: sim_time; ENUM: int (the table's
 * value); STRING, REF: const char * borrowed from the tree; DIST_*: sim_dist (the caller
 * sim_dist_fini's it); MAP: its own children, into the nested struct at its offset. A bare -1
 * allowed by SIM_SCHEMA_NEG1 is stored as -1. Keys absent from map leave their field as it
 * was. map must have been checked against a schema holding these children; a size that does
 * not fit the kind, or an offset on a SEQ, DICT, VARIANT or ANY row, is a bug (asserted). */
void sim_schema_fill(const sim_yaml_node *map, const sim_schema *children, void *out);

/* Whether the pair kv of a map holds its row's default among rows, compared as the schema
 * reads both (1m == 60s): a resolved tree writes every default out, and such a key says
 * nothing a cross-check should object to. */
bool sim_schema_holds_default(const sim_yaml_pair *kv, const sim_schema *rows);

/* Writes s's range as messages show it ("1..10000", "24h..8760h", "1B..10MiB"; a rate of sizes
 * when bytes) into buf; false (buf untouched) when s has none. The reference of the format
 * (scripts/scenario_keys.c) prints ranges through it too. */
bool sim_schema_format_range(const sim_schema *s, bool bytes, char *buf, size_t len);

/* Reports an error at a node of a tree (its file, line and column), for checks a schema
 * cannot express. */
void sim_schema_error(sim_diag *d, const sim_yaml_node *at, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Typed getters for checked trees: map[key] parsed; assert when absent or invalid. */
bool sim_schema_bool(const sim_yaml_node *map, const char *key);
int64_t sim_schema_int(const sim_yaml_node *map, const char *key);
double sim_schema_number(const sim_yaml_node *map, const char *key);
const char *sim_schema_string(const sim_yaml_node *map, const char *key); /* also a REF */
/* The value of map[key]'s name in values. */
int sim_schema_enum(const sim_yaml_node *map, const char *key, const sim_schema_value *values);
sim_time sim_schema_duration(const sim_yaml_node *map, const char *key); /* -1 stays -1 */
double sim_schema_size(const sim_yaml_node *map, const char *key, bool binary_mb);
sim_rate sim_schema_rate(const sim_yaml_node *map, const char *key);
double sim_schema_fraction(const sim_yaml_node *map, const char *key);
/* A distribution of durations (ns) or sizes (bytes); empirical files are read again. */
sim_dist sim_schema_dist(const sim_yaml_node *map, const char *key, bool size);

/* Parses a distribution node (a constant or {dist: ...}); reports and returns -EINVAL on error.
 * Empirical files are resolved relative to the directory of node->file. */
int sim_schema_parse_dist(const sim_yaml_node *node, const char *key, bool size, sim_dist *out,
                          sim_diag *d);

#endif
