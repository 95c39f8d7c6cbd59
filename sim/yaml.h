/* YAML documents as trees of nodes that remember where they came from.
 *
 * libyaml parses (its marks are 0-based; nodes store them 1-based); this module builds a tree of
 * scalars, maps and sequences, reporting syntax errors and duplicate keys (at the second
 * occurrence: "duplicate key 'shards' (first at line 6)") through diag.h. Aliases resolve to the
 * anchored node. A scalar holding a NUL character (an escaped "\0") is an error: names and
 * values are C strings, and a NUL would silently cut them short. The tree is then edited in place:
 * `--set` assignments, defaults filled in by the schema walker; `sim_yaml_emit` writes it back out
 * (the resolved scenario). All nodes and strings belong to the document and are freed with it. */
#ifndef SIM_YAML_H
#define SIM_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/diag.h"

typedef enum { SIM_YAML_SCALAR, SIM_YAML_MAP, SIM_YAML_SEQ } sim_yaml_kind;

typedef struct sim_yaml_node sim_yaml_node;
typedef struct sim_yaml_pair {
	sim_yaml_node *key; /* a scalar */
	sim_yaml_node *value;
} sim_yaml_pair;

struct sim_yaml_node {
	sim_yaml_kind kind;
	const char *file; /* source name; owned by the document */
	int line, col;    /* 1-based position; 0 for nodes made by code */
	char *text;       /* SCALAR: its text ("" for an empty value) */
	bool quoted;      /* SCALAR: written quoted or as a block scalar (always a string) */
	size_t n, cap;
	sim_yaml_pair *pairs;  /* MAP: n pairs in document order; only ever appended to (or the
	                        * map emptied), which keeps `index` right */
	sim_yaml_node **items; /* SEQ: n items */
	struct sim_yaml_index *index; /* MAP: its keys hashed, once it has many (yaml.c's cache) */
};

typedef struct sim_yaml_doc sim_yaml_doc;

sim_yaml_doc *sim_yaml_doc_create(void);
void sim_yaml_doc_destroy(sim_yaml_doc *doc); /* NULL: nothing */

/* Parses text (named `name` in diagnostics; the text is also registered with d for source
 * lines). Returns the root node, or NULL after reporting errors. Duplicate keys are reported
 * but still return the tree (with the first value), so a caller can report further mistakes:
 * check sim_diag_errors. An empty document is an empty
 * map... only where the caller accepts it: the root of an empty text is a SCALAR "". */
sim_yaml_node *sim_yaml_parse(sim_yaml_doc *doc, const char *name, const char *text, size_t len,
                              sim_diag *d);

/* Parses a short YAML text made by code or typed on a command line (a schema default, a --set
 * VALUE) without reporting: its nodes get file = label (may be NULL), line = col = 0. Returns
 * NULL when the text is not valid YAML, with the first problem in *err when err is not NULL
 * (caller frees it with sim_free). */
sim_yaml_node *sim_yaml_parse_value(sim_yaml_doc *doc, const char *text, const char *label,
                                    char **err);

/* The largest file sim_yaml_load_file reads (16 MiB): far beyond any scenario. */
#define SIM_YAML_MAX_FILE (16u << 20)

/* Reads and parses a file. A UTF-8 byte order mark at its start is skipped (it is not part of
 * the text kept for sim_yaml_source_text). On a read failure returns NULL and sets *err to
 * -errno without reporting; on a parse failure, or a file larger than SIM_YAML_MAX_FILE (of
 * which it reads no more than one byte beyond the limit, so /dev/zero or a FIFO end too),
 * returns NULL with *err = -EINVAL after reporting. */
sim_yaml_node *sim_yaml_load_file(sim_yaml_doc *doc, const char *path, sim_diag *d, int *err);

/* The text of a source parsed into this document (e.g. for /scenario/source); NULL if none. */
const char *sim_yaml_source_text(const sim_yaml_doc *doc, const char *name, size_t *len);

/* Node constructors (positions 0, owned by doc). */
sim_yaml_node *sim_yaml_new_scalar(sim_yaml_doc *doc, const char *text);
sim_yaml_node *sim_yaml_new_map(sim_yaml_doc *doc);
sim_yaml_node *sim_yaml_new_seq(sim_yaml_doc *doc);
sim_yaml_node *sim_yaml_clone(sim_yaml_doc *doc, const sim_yaml_node *n);

/* Map access: NULL when map is NULL, not a map, or lacks the key. A large map is searched
 * through a hash index of its keys (built and kept up to date on the way), so a lookup takes
 * constant time however many entities a scenario has. */
sim_yaml_node *sim_yaml_get(const sim_yaml_node *map, const char *key);
sim_yaml_pair *sim_yaml_get_pair(const sim_yaml_node *map, const char *key);
/* Brings every index of the tree up to date, so that lookups in a tree nobody changes any more
 * write nothing: threads may then read it at once (the -j replications share a scenario). */
void sim_yaml_index_all(const sim_yaml_node *n);
/* Replaces the value of key, or appends the pair (with a new key scalar). */
void sim_yaml_map_set(sim_yaml_doc *doc, sim_yaml_node *map, const char *key, sim_yaml_node *value);
void sim_yaml_seq_append(sim_yaml_doc *doc, sim_yaml_node *seq, sim_yaml_node *item);

/* Whether a scalar is YAML's null: empty plain text, "~", "null". */
bool sim_yaml_is_null(const sim_yaml_node *n);

/* Applies "PATH=VALUE" (PATH like "functions.feed.triggers[0].batch_size"; VALUE read as YAML:
 * "8", "{invocation: 1%}"). Missing maps along the path are created; an index equal to a
 * sequence's length appends. Errors are reported as "LABEL: error: ..." (no position), e.g.
 * "--set #2: error: ...". Nodes of VALUE get file = label, line = col = 0. Returns 0 or
 * -EINVAL. */
int sim_yaml_set_path(sim_yaml_doc *doc, sim_yaml_node *root, const char *assignment,
                      const char *label, sim_diag *d);

/* Block-style YAML text of the tree, keys in stored order, scalars quoted only when needed
 * to read back the same text. Deterministic. Caller frees with sim_free. */
char *sim_yaml_emit(const sim_yaml_node *root);
/* The same text with a trailing comment on each value's line: note(value, ctx) returns it
 * (sim_malloc'd; NULL: none). */
typedef char *(*sim_yaml_note)(const sim_yaml_node *value, void *ctx);
char *sim_yaml_emit_noted(const sim_yaml_node *root, sim_yaml_note note, void *ctx);

#endif
