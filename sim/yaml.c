/* YAML documents: libyaml's event parser builds a tree of nodes with 1-based positions; the
 * tree is edited in place (--set, defaults) and emitted back as block-style YAML.
 *
 * Ownership: the document owns every node it made (doc->nodes), every source text and every
 * file name or label the nodes point to (doc->strs); nodes never own each other, so a node may
 * be unlinked or replaced without freeing anything, and all is freed with the document.
 * Aliases are expanded (the anchored node is cloned), so the tree stays a tree and editing one
 * place never changes another; a cap on the node count stops "billion laughs" expansions.
 *
 * Lookups are hashed where a document may be large (hashmap.h): the keys of a map with many
 * pairs (duplicate keys are found while parsing, and entities by name afterwards), and the
 * anchors of a parse. Linear searches made a 200,000-key map take minutes. */
#include "sim/yaml.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/hashmap.h"

/* Far beyond any scenario; reached only by alias bombs. */
#define MAX_NODES 1000000
/* Deeper nesting than this is surely a mistake, and recursion must stay within the stack. */
#define MAX_DEPTH 500
/* Maps of this many pairs or more are searched through a hash index of their keys; a scan of
 * fewer is as fast and needs no memory. */
#define INDEX_FROM 16

/* The keys of map->pairs[0..n) by hash. */
struct sim_yaml_index {
	sim_hashmap map;
	size_t n;
};

typedef struct source {
	char *name;
	char *text;
	size_t len;
} source;

struct sim_yaml_doc {
	sim_yaml_node **nodes;
	size_t nnodes, capnodes;
	source *srcs;
	size_t nsrcs, capsrcs;
	char **strs;
	size_t nstrs, capstrs;
};

sim_yaml_doc *sim_yaml_doc_create(void)
{
	return sim_calloc(1, sizeof(sim_yaml_doc));
}

void sim_yaml_doc_destroy(sim_yaml_doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->nnodes; i++) {
		sim_yaml_node *n = doc->nodes[i];
		sim_free(n->text);
		sim_free(n->pairs);
		sim_free(n->items);
		if (n->index)
			sim_hashmap_fini(&n->index->map);
		sim_free(n->index);
		sim_free(n);
	}
	for (size_t i = 0; i < doc->nsrcs; i++) {
		sim_free(doc->srcs[i].name);
		sim_free(doc->srcs[i].text);
	}
	for (size_t i = 0; i < doc->nstrs; i++)
		sim_free(doc->strs[i]);
	sim_free(doc->nodes);
	sim_free(doc->srcs);
	sim_free(doc->strs);
	sim_free(doc);
}

/* A copy of s owned by the document, shared by equal strings. */
static const char *intern(sim_yaml_doc *doc, const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < doc->nstrs; i++)
		if (strcmp(doc->strs[i], s) == 0)
			return doc->strs[i];
	sim_grow(&doc->strs, &doc->capstrs, doc->nstrs + 1, sizeof(char *));
	doc->strs[doc->nstrs] = sim_strdup(s);
	return doc->strs[doc->nstrs++];
}

static sim_yaml_node *new_node(sim_yaml_doc *doc, sim_yaml_kind kind, const char *file, int line,
                               int col)
{
	sim_yaml_node *n = sim_calloc(1, sizeof *n);
	n->kind = kind;
	n->file = file;
	n->line = line;
	n->col = col;
	sim_grow(&doc->nodes, &doc->capnodes, doc->nnodes + 1, sizeof(sim_yaml_node *));
	doc->nodes[doc->nnodes++] = n;
	return n;
}

sim_yaml_node *sim_yaml_new_scalar(sim_yaml_doc *doc, const char *text)
{
	sim_yaml_node *n = new_node(doc, SIM_YAML_SCALAR, NULL, 0, 0);
	n->text = sim_strdup(text);
	return n;
}

sim_yaml_node *sim_yaml_new_map(sim_yaml_doc *doc)
{
	return new_node(doc, SIM_YAML_MAP, NULL, 0, 0);
}

sim_yaml_node *sim_yaml_new_seq(sim_yaml_doc *doc)
{
	return new_node(doc, SIM_YAML_SEQ, NULL, 0, 0);
}

sim_yaml_node *sim_yaml_clone(sim_yaml_doc *doc, const sim_yaml_node *n)
{
	sim_yaml_node *c = new_node(doc, n->kind, n->file, n->line, n->col);
	c->quoted = n->quoted;
	if (n->text)
		c->text = sim_strdup(n->text);
	if (n->kind == SIM_YAML_MAP) {
		sim_grow(&c->pairs, &c->cap, n->n, sizeof(sim_yaml_pair));
		for (size_t i = 0; i < n->n; i++) {
			c->pairs[i].key = sim_yaml_clone(doc, n->pairs[i].key);
			c->pairs[i].value = sim_yaml_clone(doc, n->pairs[i].value);
		}
	} else if (n->kind == SIM_YAML_SEQ) {
		sim_grow(&c->items, &c->cap, n->n, sizeof(sim_yaml_node *));
		for (size_t i = 0; i < n->n; i++)
			c->items[i] = sim_yaml_clone(doc, n->items[i]);
	}
	c->n = n->n;
	return c;
}

/* The index of a map brought up to date with its pairs. Pairs are only appended, so the new
 * ones are added; a map that holds fewer pairs than were indexed has been emptied and refilled,
 * and is indexed again. The index is a cache: it changes through a const map. */
static const struct sim_yaml_index *map_index(const sim_yaml_node *cmap)
{
	sim_yaml_node *map = (sim_yaml_node *)cmap;
	if (!map->index)
		map->index = sim_calloc(1, sizeof *map->index);
	struct sim_yaml_index *x = map->index;
	if (x->n > map->n) {
		sim_hashmap_clear(&x->map);
		x->n = 0;
	}
	for (; x->n < map->n; x->n++)
		sim_hashmap_add(&x->map, sim_hash_string(map->pairs[x->n].key->text), x->n);
	return x;
}

void sim_yaml_index_all(const sim_yaml_node *n)
{
	if (!n)
		return;
	if (n->kind == SIM_YAML_MAP) {
		if (n->n >= INDEX_FROM)
			map_index(n);
		for (size_t i = 0; i < n->n; i++)
			sim_yaml_index_all(n->pairs[i].value);
	} else if (n->kind == SIM_YAML_SEQ) {
		for (size_t i = 0; i < n->n; i++)
			sim_yaml_index_all(n->items[i]);
	}
}

sim_yaml_pair *sim_yaml_get_pair(const sim_yaml_node *map, const char *key)
{
	if (!map || map->kind != SIM_YAML_MAP)
		return NULL;
	if (map->n < INDEX_FROM) {
		for (size_t i = 0; i < map->n; i++)
			if (strcmp(map->pairs[i].key->text, key) == 0)
				return &map->pairs[i];
		return NULL;
	}
	/* The first pair with the key, as the scan finds: an index returns a hash's pairs in
	 * the order they were added. */
	const struct sim_yaml_index *x = map_index(map);
	uint64_t h = sim_hash_string(key);
	size_t pos = 0, i;
	while ((i = sim_hashmap_next(&x->map, h, &pos)) != SIM_HASHMAP_NONE)
		if (strcmp(map->pairs[i].key->text, key) == 0)
			return &map->pairs[i];
	return NULL;
}

sim_yaml_node *sim_yaml_get(const sim_yaml_node *map, const char *key)
{
	sim_yaml_pair *p = sim_yaml_get_pair(map, key);
	return p ? p->value : NULL;
}

static void append_pair(sim_yaml_node *map, sim_yaml_node *key, sim_yaml_node *value)
{
	sim_grow(&map->pairs, &map->cap, map->n + 1, sizeof(sim_yaml_pair));
	map->pairs[map->n].key = key;
	map->pairs[map->n].value = value;
	map->n++;
}

void sim_yaml_map_set(sim_yaml_doc *doc, sim_yaml_node *map, const char *key, sim_yaml_node *value)
{
	SIM_ASSERT(map && map->kind == SIM_YAML_MAP);
	sim_yaml_pair *p = sim_yaml_get_pair(map, key);
	if (p) {
		p->value = value;
		return;
	}
	/* A key made for a value from elsewhere (a --set) names that source in messages. */
	sim_yaml_node *k = sim_yaml_new_scalar(doc, key);
	k->file = value ? value->file : NULL;
	append_pair(map, k, value);
}

void sim_yaml_seq_append(sim_yaml_doc *doc, sim_yaml_node *seq, sim_yaml_node *item)
{
	(void)doc;
	SIM_ASSERT(seq && seq->kind == SIM_YAML_SEQ);
	sim_grow(&seq->items, &seq->cap, seq->n + 1, sizeof(sim_yaml_node *));
	seq->items[seq->n++] = item;
}

bool sim_yaml_is_null(const sim_yaml_node *n)
{
	if (!n || n->kind != SIM_YAML_SCALAR || n->quoted)
		return false;
	return strcmp(n->text, "") == 0 || strcmp(n->text, "~") == 0 ||
	       strcmp(n->text, "null") == 0 || strcmp(n->text, "Null") == 0 ||
	       strcmp(n->text, "NULL") == 0;
}

/* ---- parsing ---- */

typedef struct anchor {
	char *name;
	sim_yaml_node *node;
} anchor;

typedef struct parser {
	sim_yaml_doc *doc;
	yaml_parser_t p;
	const char *file; /* interned */
	const char *text;
	size_t len;
	sim_diag *d;     /* NULL: keep the first message in first_err instead */
	char *first_err; /* owned */
	size_t errors;
	size_t soft_errors; /* of errors: duplicate keys, after which the tree is still whole */
	anchor *anchors;
	size_t nanchors, capanchors;
	sim_hashmap anchor_index; /* anchors[] by name */
	int depth;
} parser;

static void error_at(parser *ps, int line, int col, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void error_at(parser *ps, int line, int col, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ps->errors++;
	if (ps->d)
		sim_diag_report(ps->d, SIM_DIAG_ERROR, ps->file, line, col, "%s", msg);
	else if (!ps->first_err)
		ps->first_err = sim_strdup(msg);
}

/* libyaml reports reader errors (bad UTF-8) by byte offset rather than by mark. */
static void offset_to_position(const parser *ps, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < ps->len; i++) {
		unsigned char c = (unsigned char)ps->text[i];
		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if ((c & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

static void report_syntax(parser *ps)
{
	const yaml_parser_t *p = &ps->p;
	const char *problem = p->problem ? p->problem : "not valid YAML";
	int line, col;
	if (p->error == YAML_READER_ERROR) {
		offset_to_position(ps, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			error_at(ps, line, col, "%s (byte 0x%02x)", problem,
			         (unsigned)p->problem_value);
		else
			error_at(ps, line, col, "%s", problem);
		return;
	}
	line = (int)p->problem_mark.line + 1;
	col = (int)p->problem_mark.column + 1;
	if (p->context)
		error_at(ps, line, col, "%s (%s that starts at line %d)", problem, p->context,
		         (int)p->context_mark.line + 1);
	else
		error_at(ps, line, col, "%s", problem);
}

static bool next_event(parser *ps, yaml_event_t *ev)
{
	if (yaml_parser_parse(&ps->p, ev))
		return true;
	report_syntax(ps);
	return false;
}

static int mark_line(yaml_mark_t m)
{
	return (int)m.line + 1;
}

static int mark_col(yaml_mark_t m)
{
	return (int)m.column + 1;
}

static size_t count_nodes(const sim_yaml_node *n)
{
	size_t c = 1;
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == SIM_YAML_MAP)
			c += count_nodes(n->pairs[i].key) + count_nodes(n->pairs[i].value);
		else if (n->kind == SIM_YAML_SEQ)
			c += count_nodes(n->items[i]);
	}
	return c;
}

static anchor *find_anchor(const parser *ps, const char *name)
{
	uint64_t h = sim_hash_string(name);
	size_t pos = 0, i;
	while ((i = sim_hashmap_next(&ps->anchor_index, h, &pos)) != SIM_HASHMAP_NONE)
		if (strcmp(ps->anchors[i].name, name) == 0)
			return &ps->anchors[i];
	return NULL;
}

static void add_anchor(parser *ps, const yaml_char_t *name, sim_yaml_node *n)
{
	if (!name)
		return;
	/* A redefined anchor means its latest definition from there on. */
	anchor *a = find_anchor(ps, (const char *)name);
	if (a) {
		a->node = n;
		return;
	}
	sim_grow(&ps->anchors, &ps->capanchors, ps->nanchors + 1, sizeof(anchor));
	ps->anchors[ps->nanchors].name = sim_strdup((const char *)name);
	ps->anchors[ps->nanchors].node = n;
	sim_hashmap_add(&ps->anchor_index, sim_hash_string((const char *)name), ps->nanchors);
	ps->nanchors++;
}

static sim_yaml_node *parse_node(parser *ps, yaml_event_t *ev);

static sim_yaml_node *parse_alias(parser *ps, yaml_event_t *ev)
{
	int line = mark_line(ev->start_mark), col = mark_col(ev->start_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	const anchor *a = find_anchor(ps, name);
	sim_yaml_node *target = a ? a->node : NULL;
	sim_yaml_node *n;
	if (!target) {
		error_at(ps, line, col, "undefined alias '*%s' (no '&%s' before it)", name, name);
		n = new_node(ps->doc, SIM_YAML_SCALAR, ps->file, line, col);
		n->text = sim_strdup("");
	} else if (ps->doc->nnodes + count_nodes(target) > MAX_NODES) {
		error_at(ps, line, col, "aliases expand to more than %d nodes", MAX_NODES);
		n = NULL;
	} else {
		n = sim_yaml_clone(ps->doc, target);
	}
	yaml_event_delete(ev);
	return n;
}

static sim_yaml_node *parse_scalar(parser *ps, yaml_event_t *ev)
{
	sim_yaml_node *n = new_node(ps->doc, SIM_YAML_SCALAR, ps->file, mark_line(ev->start_mark),
	                            mark_col(ev->start_mark));
	n->text = sim_strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
	/* libyaml gives the length: a shorter C string means an escaped NUL ("a\0b") inside. */
	if (strlen(n->text) < ev->data.scalar.length)
		error_at(ps, n->line, n->col, "a NUL character (\\0) is not allowed in a value");
	yaml_scalar_style_t st = ev->data.scalar.style;
	const char *tag = (const char *)ev->data.scalar.tag;
	n->quoted = st == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	            st == YAML_DOUBLE_QUOTED_SCALAR_STYLE || st == YAML_LITERAL_SCALAR_STYLE ||
	            st == YAML_FOLDED_SCALAR_STYLE || (tag && strcmp(tag, YAML_STR_TAG) == 0);
	add_anchor(ps, ev->data.scalar.anchor, n);
	yaml_event_delete(ev);
	return n;
}

static sim_yaml_node *parse_seq(parser *ps, yaml_event_t *ev)
{
	sim_yaml_node *n = new_node(ps->doc, SIM_YAML_SEQ, ps->file, mark_line(ev->start_mark),
	                            mark_col(ev->start_mark));
	char *name = ev->data.sequence_start.anchor
	                     ? sim_strdup((const char *)ev->data.sequence_start.anchor)
	                     : NULL;
	yaml_event_delete(ev);
	for (;;) {
		yaml_event_t e;
		if (!next_event(ps, &e)) {
			n = NULL;
			break;
		}
		if (e.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&e);
			break;
		}
		sim_yaml_node *item = parse_node(ps, &e);
		if (!item) {
			n = NULL;
			break;
		}
		sim_yaml_seq_append(ps->doc, n, item);
	}
	if (n)
		add_anchor(ps, (const yaml_char_t *)name, n);
	sim_free(name);
	return n;
}

static sim_yaml_node *parse_map(parser *ps, yaml_event_t *ev)
{
	sim_yaml_node *n = new_node(ps->doc, SIM_YAML_MAP, ps->file, mark_line(ev->start_mark),
	                            mark_col(ev->start_mark));
	char *name = ev->data.mapping_start.anchor
	                     ? sim_strdup((const char *)ev->data.mapping_start.anchor)
	                     : NULL;
	yaml_event_delete(ev);
	for (;;) {
		yaml_event_t e;
		if (!next_event(ps, &e)) {
			n = NULL;
			break;
		}
		if (e.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&e);
			break;
		}
		sim_yaml_node *key = parse_node(ps, &e);
		sim_yaml_node *value = NULL;
		if (key && next_event(ps, &e))
			value = parse_node(ps, &e);
		if (!value) {
			n = NULL;
			break;
		}
		if (key->kind != SIM_YAML_SCALAR) {
			error_at(ps, key->line, key->col, "a key must be a single value, not a %s",
			         key->kind == SIM_YAML_MAP ? "map" : "list");
			continue;
		}
		sim_yaml_pair *first = sim_yaml_get_pair(n, key->text);
		if (first) {
			/* Reported at the second occurrence; the first value stays. */
			if (first->key->line > 0)
				error_at(ps, key->line, key->col,
				         "duplicate key '%s' (first at line %d)", key->text,
				         first->key->line);
			else
				error_at(ps, key->line, key->col, "duplicate key '%s'", key->text);
			ps->soft_errors++;
			continue;
		}
		append_pair(n, key, value);
	}
	if (n)
		add_anchor(ps, (const yaml_char_t *)name, n);
	sim_free(name);
	return n;
}

/* Builds the node that starts with ev (consumed). NULL after a syntax error, which ends the
 * parse; other errors (duplicate keys, undefined aliases) are reported and parsing goes on. */
static sim_yaml_node *parse_node(parser *ps, yaml_event_t *ev)
{
	sim_yaml_node *n = NULL;
	if (ps->depth >= MAX_DEPTH) {
		error_at(ps, mark_line(ev->start_mark), mark_col(ev->start_mark),
		         "nesting deeper than %d levels", MAX_DEPTH);
		yaml_event_delete(ev);
		return NULL;
	}
	ps->depth++;
	switch (ev->type) {
	case YAML_ALIAS_EVENT: n = parse_alias(ps, ev); break;
	case YAML_SCALAR_EVENT: n = parse_scalar(ps, ev); break;
	case YAML_SEQUENCE_START_EVENT: n = parse_seq(ps, ev); break;
	case YAML_MAPPING_START_EVENT: n = parse_map(ps, ev); break;
	default:
		/* libyaml only produces the events above inside a document. */
		error_at(ps, mark_line(ev->start_mark), mark_col(ev->start_mark),
		         "unexpected YAML event %d", (int)ev->type);
		yaml_event_delete(ev);
		break;
	}
	ps->depth--;
	return n;
}

/* Parses text into the document. With d, reports there; without, keeps the first message in
 * *first_err (caller frees). Returns the root or NULL when anything was wrong. */
static sim_yaml_node *parse_text(sim_yaml_doc *doc, const char *file, const char *text, size_t len,
                                 sim_diag *d, char **first_err)
{
	parser ps = {.doc = doc, .file = file, .text = text, .len = len, .d = d};
	sim_yaml_node *root = NULL;
	yaml_event_t ev;
	if (!yaml_parser_initialize(&ps.p)) {
		fprintf(stderr, "kinesim: out of memory (libyaml)\n");
		abort();
	}
	yaml_parser_set_input_string(&ps.p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&ps.p, YAML_UTF8_ENCODING);
	if (!next_event(&ps, &ev)) /* STREAM-START */
		goto out;
	yaml_event_delete(&ev);
	if (!next_event(&ps, &ev))
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		root = new_node(doc, SIM_YAML_SCALAR, file, 1, 1);
		root->text = sim_strdup("");
		goto out;
	}
	yaml_event_delete(&ev); /* DOCUMENT-START */
	if (!next_event(&ps, &ev))
		goto out;
	root = parse_node(&ps, &ev);
	if (!root || !next_event(&ps, &ev)) { /* DOCUMENT-END */
		root = NULL;
		goto out;
	}
	yaml_event_delete(&ev);
	if (!next_event(&ps, &ev)) {
		root = NULL;
		goto out;
	}
	if (ev.type == YAML_DOCUMENT_START_EVENT) {
		error_at(&ps, mark_line(ev.start_mark), mark_col(ev.start_mark),
		         "only one YAML document is allowed");
		root = NULL;
	}
	yaml_event_delete(&ev);
out:
	yaml_parser_delete(&ps.p);
	for (size_t i = 0; i < ps.nanchors; i++)
		sim_free(ps.anchors[i].name);
	sim_free(ps.anchors);
	sim_hashmap_fini(&ps.anchor_index);
	/* After duplicate keys alone the tree is whole (the first value kept), so the caller can
	 * go on checking and report every other mistake too; the errors are in d. */
	if (ps.errors > ps.soft_errors)
		root = NULL;
	if (first_err)
		*first_err = ps.first_err;
	else
		sim_free(ps.first_err);
	return root;
}

static const char *add_source(sim_yaml_doc *doc, const char *name, const char *text, size_t len)
{
	for (size_t i = 0; i < doc->nsrcs; i++) {
		if (strcmp(doc->srcs[i].name, name) == 0) {
			sim_free(doc->srcs[i].text);
			doc->srcs[i].text = sim_strndup(text, len);
			doc->srcs[i].len = len;
			return intern(doc, name);
		}
	}
	sim_grow(&doc->srcs, &doc->capsrcs, doc->nsrcs + 1, sizeof(source));
	source *s = &doc->srcs[doc->nsrcs++];
	s->name = sim_strdup(name);
	s->text = sim_malloc(len + 1);
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->len = len;
	return intern(doc, name);
}

sim_yaml_node *sim_yaml_parse(sim_yaml_doc *doc, const char *name, const char *text, size_t len,
                              sim_diag *d)
{
	const char *file = add_source(doc, name, text, len);
	sim_diag_add_source(d, name, text, len);
	return parse_text(doc, file, text, len, d, NULL);
}

sim_yaml_node *sim_yaml_load_file(sim_yaml_doc *doc, const char *path, sim_diag *d, int *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (err)
			*err = -errno;
		return NULL;
	}
	/* At most one byte beyond the limit, which tells a file at the limit from a larger one
	 * without reading on: a file may be endless (/dev/zero, a FIFO), so its size says
	 * nothing. */
	const size_t most = (size_t)SIM_YAML_MAX_FILE + 1;
	char *text = NULL;
	size_t len = 0, cap = 0;
	while (len < most) {
		sim_grow(&text, &cap, len + 65536 < most ? len + 65536 : most, 1);
		size_t want = (cap < most ? cap : most) - len;
		size_t got = fread(text + len, 1, want, f);
		len += got;
		if (got == 0)
			break;
	}
	int rerr = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (rerr) {
		sim_free(text);
		if (err)
			*err = -rerr;
		return NULL;
	}
	if (len == most) {
		sim_free(text);
		sim_diag_report(d, SIM_DIAG_ERROR, path, 0, 0,
		                "the file is larger than %u MiB, the most kinesim reads",
		                SIM_YAML_MAX_FILE >> 20);
		if (err)
			*err = -EINVAL;
		return NULL;
	}
	/* A UTF-8 byte order mark, which some editors write, is not part of the text. */
	size_t skip = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	sim_yaml_node *root = sim_yaml_parse(doc, path, text + skip, len - skip, d);
	sim_free(text);
	if (err)
		*err = root ? 0 : -EINVAL;
	return root;
}

const char *sim_yaml_source_text(const sim_yaml_doc *doc, const char *name, size_t *len)
{
	for (size_t i = 0; i < doc->nsrcs; i++) {
		if (strcmp(doc->srcs[i].name, name) == 0) {
			if (len)
				*len = doc->srcs[i].len;
			return doc->srcs[i].text;
		}
	}
	return NULL;
}

/* ---- --set PATH=VALUE ---- */

#define PATH_EXAMPLE "functions.feed.triggers[0].batch_size"

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static void set_node_origin(sim_yaml_node *n, const char *label)
{
	n->file = label;
	n->line = n->col = 0;
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == SIM_YAML_MAP) {
			set_node_origin(n->pairs[i].key, label);
			set_node_origin(n->pairs[i].value, label);
		} else if (n->kind == SIM_YAML_SEQ) {
			set_node_origin(n->items[i], label);
		}
	}
}

/* A null scalar along the path (`topics: {t: }`) stands for an absent value: it becomes the
 * container the path needs. A node is changed in place because nodes have no parent link. */
static void make_container(sim_yaml_node *n, sim_yaml_kind kind)
{
	n->kind = kind;
	sim_free(n->text);
	n->text = NULL;
	n->quoted = false;
	n->n = 0;
}

static const char *kind_name(const sim_yaml_node *n)
{
	return n->kind == SIM_YAML_MAP ? "a map" : n->kind == SIM_YAML_SEQ ? "a list" : "a value";
}

sim_yaml_node *sim_yaml_parse_value(sim_yaml_doc *doc, const char *text, const char *label,
                                    char **err)
{
	const char *file = intern(doc, label);
	char *first = NULL;
	sim_yaml_node *n = parse_text(doc, file, text, strlen(text), NULL, &first);
	if (n)
		set_node_origin(n, file);
	if (err)
		*err = n ? NULL : first;
	if (!err || n)
		sim_free(first);
	return n;
}

static void path_syntax_error(sim_diag *d, const char *label, const char *path, const char *p)
{
	if (*p)
		sim_diag_report(
		        d, SIM_DIAG_ERROR, label, 0, 0,
		        "unexpected '%c' in PATH '%s': keys are made of letters, digits, '_' "
		        "and '-', joined by '.', with [N] for list items, like %s",
		        *p, path, PATH_EXAMPLE);
	else
		sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0,
		                "PATH '%s' ends with '.': a key name must follow, like %s", path,
		                PATH_EXAMPLE);
}

/* Follows path from root and stores value at its end. Run twice: first with apply false, which
 * only checks and reports (a missing or null container is then "virtual", cur == NULL: it
 * would be created empty), then with apply true, which cannot fail; so a wrong assignment
 * leaves the tree untouched. */
static int follow_path(sim_yaml_doc *doc, sim_yaml_node *root, const char *path,
                       sim_yaml_node *value, const char *file, sim_diag *d, bool apply)
{
	const char *label = file;
	sim_yaml_node *cur = root;
	if (cur && sim_yaml_is_null(cur)) {
		if (apply)
			make_container(cur, SIM_YAML_MAP);
		else
			cur = NULL;
	}
	if (cur && cur->kind != SIM_YAML_MAP) {
		sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0,
		                "the document is %s, not a map, so PATH '%s' names nothing in it",
		                kind_name(cur), path);
		return -EINVAL;
	}
	const char *p = path;
	for (;;) {
		const char *seg = p;
		int seglen = (int)(seg - path);
		char name[256];
		bool is_index = false;
		size_t index = 0;
		if (*p == '[') {
			char *end = NULL;
			bool digits = isdigit((unsigned char)p[1]);
			errno = 0;
			unsigned long long v = digits ? strtoull(p + 1, &end, 10) : 0;
			if (!digits || *end != ']' || errno || v > 1000000) {
				const char *close = strchr(p, ']');
				int l = close ? (int)(close - p + 1) : (int)strlen(p);
				sim_diag_report(
				        d, SIM_DIAG_ERROR, label, 0, 0,
				        "bad index '%.*s' in PATH '%s': write a number from 0 in "
				        "brackets, like triggers[0]",
				        l, p, path);
				return -EINVAL;
			}
			if (p == path) {
				sim_diag_report(
				        d, SIM_DIAG_ERROR, label, 0, 0,
				        "PATH '%s' starts with an index: it must start with a key "
				        "name, like %s",
				        path, PATH_EXAMPLE);
				return -EINVAL;
			}
			is_index = true;
			index = (size_t)v;
			p = end + 1;
		} else {
			size_t l = 0;
			while (name_char(p[l]))
				l++;
			if (l == 0) {
				path_syntax_error(d, label, path, p);
				return -EINVAL;
			}
			if (l >= sizeof name) {
				sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0,
				                "key name too long in PATH '%s'", path);
				return -EINVAL;
			}
			memcpy(name, p, l);
			name[l] = '\0';
			p += l;
		}
		bool last = *p == '\0';
		if (!last && *p != '.' && *p != '[') {
			path_syntax_error(d, label, path, p);
			return -EINVAL;
		}
		if (*p == '.' && p[1] == '\0') {
			path_syntax_error(d, label, path, p + 1);
			return -EINVAL;
		}
		sim_yaml_node *next = NULL;
		if (is_index) {
			if (cur && cur->kind != SIM_YAML_SEQ) {
				sim_diag_report(
				        d, SIM_DIAG_ERROR, label, 0, 0,
				        "'%.*s' is %s, not a list, so it has no item [%zu]%s",
				        seglen, path, kind_name(cur), index,
				        cur->kind == SIM_YAML_MAP
				                ? "; name one of its keys with '.'"
				                : "");
				return -EINVAL;
			}
			size_t n = cur ? cur->n : 0;
			if (index > n) {
				if (n)
					sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0,
					                "index %zu is beyond the end of '%.*s' "
					                "(%zu item%s): "
					                "use 0..%zu to replace an item or %zu to "
					                "append one",
					                index, seglen, path, n, n == 1 ? "" : "s",
					                n - 1, n);
				else
					sim_diag_report(
					        d, SIM_DIAG_ERROR, label, 0, 0,
					        "index %zu is beyond the end of '%.*s', which is "
					        "empty: use 0 to append an item",
					        index, seglen, path);
				return -EINVAL;
			}
			if (apply && last) {
				if (index == cur->n)
					sim_yaml_seq_append(doc, cur, value);
				else
					cur->items[index] = value;
			} else if (apply && index == cur->n) {
				next = new_node(doc, *p == '[' ? SIM_YAML_SEQ : SIM_YAML_MAP, file,
				                0, 0);
				sim_yaml_seq_append(doc, cur, next);
			} else if (cur && index < cur->n) {
				next = cur->items[index];
			}
		} else {
			if (cur && cur->kind == SIM_YAML_SEQ) {
				sim_diag_report(
				        d, SIM_DIAG_ERROR, label, 0, 0,
				        "'%.*s' is a list, so it has no key '%s'; pick an item by "
				        "index, like %.*s[0].%s",
				        seglen - 1, path, name, seglen - 1, path, name);
				return -EINVAL;
			}
			if (cur && cur->kind == SIM_YAML_SCALAR) {
				sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0,
				                "'%.*s' is a value ('%s'), not a map, so it has no "
				                "key '%s'",
				                seglen - 1, path, cur->text, name);
				return -EINVAL;
			}
			if (apply && last) {
				sim_yaml_map_set(doc, cur, name, value);
			} else if (cur) {
				next = sim_yaml_get(cur, name);
				if (!next && apply) {
					next = new_node(doc,
					                *p == '[' ? SIM_YAML_SEQ : SIM_YAML_MAP,
					                file, 0, 0);
					sim_yaml_map_set(doc, cur, name, next);
					sim_yaml_get_pair(cur, name)->key->file = file;
				}
			}
		}
		if (last)
			return 0;
		/* A null value on the way stands for an absent one. */
		if (next && sim_yaml_is_null(next)) {
			if (apply)
				make_container(next, *p == '[' ? SIM_YAML_SEQ : SIM_YAML_MAP);
			else
				next = NULL;
		}
		cur = next;
		if (*p == '.')
			p++;
	}
}

int sim_yaml_set_path(sim_yaml_doc *doc, sim_yaml_node *root, const char *assignment,
                      const char *label, sim_diag *d)
{
	const char *eq = strchr(assignment, '=');
	if (!eq) {
		sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0,
		                "expected PATH=VALUE (got '%s'); write it like %s=500", assignment,
		                PATH_EXAMPLE);
		return -EINVAL;
	}
	if (eq == assignment) {
		sim_diag_report(d, SIM_DIAG_ERROR, label, 0, 0,
		                "the PATH before '=' is empty (got '%s'); write it like %s=500",
		                assignment, PATH_EXAMPLE);
		return -EINVAL;
	}
	char *path = sim_strndup(assignment, (size_t)(eq - assignment));
	const char *file = intern(doc, label);
	int rc = follow_path(doc, root, path, NULL, file, d, false);
	if (rc == 0) {
		char *verr = NULL;
		const char *vtext = eq + 1;
		sim_yaml_node *value = sim_yaml_parse_value(doc, vtext, file, &verr);
		if (value) {
			rc = follow_path(doc, root, path, value, file, d, true);
			SIM_ASSERT(rc == 0);
		} else {
			sim_diag_report(
			        d, SIM_DIAG_ERROR, label, 0, 0,
			        "the VALUE after '=' is not valid YAML: %s (got '%s'); write a "
			        "YAML value such as 8, 250ms, '\"a: b\"' or {invocation: 1%%}",
			        verr ? verr : "syntax error", vtext);
			rc = -EINVAL;
		}
		sim_free(verr);
	}
	sim_free(path);
	return rc;
}

/* ---- emitting ---- */

typedef struct buf {
	char *s;
	size_t n, cap;
	sim_yaml_note note; /* sim_yaml_emit_noted: a comment for each value's line */
	void *note_ctx;
} buf;

static void put(buf *b, const char *s, size_t len)
{
	sim_grow(&b->s, &b->cap, b->n + len + 1, 1);
	memcpy(b->s + b->n, s, len);
	b->n += len;
	b->s[b->n] = '\0';
}

static void puts_(buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void indent(buf *b, int n)
{
	for (int i = 0; i < n; i++)
		put(b, " ", 1);
}

/* Whether a plain scalar with this text would be read as something other than a string
 * (null, a bool in YAML 1.1 or 1.2, a number): such text keeps its quotes when it had them. */
static bool looks_typed(const char *t)
{
	static const char *const words[] = {
	        "",      "~",     "null", "Null",  "NULL",  "true", "True", "TRUE", "false",
	        "False", "FALSE", "yes",  "Yes",   "YES",   "no",   "No",   "NO",   "on",
	        "On",    "ON",    "off",  "Off",   "OFF",   "y",    "Y",    "n",    "N",
	        ".inf",  ".Inf",  ".INF", "-.inf", "+.inf", ".nan", ".NaN", ".NAN",
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(t, words[i]) == 0)
			return true;
	/* Anything that starts like a number: 8, -1, 1e3, 0x1f, 1_000, .5 (generous on purpose). */
	const char *p = t;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.')
		p++;
	return isdigit((unsigned char)*p);
}

/* Whether the text cannot be written plain in block context at all. */
static bool needs_quotes(const char *t)
{
	size_t len = strlen(t);
	if (len == 0)
		return true;
	if (strchr("?:,[]{}#&*!|>'\"%@`", t[0]))
		return true;
	if (t[0] == '-' && (t[1] == '\0' || t[1] == ' ' || strncmp(t, "---", 3) == 0))
		return true;
	if (strncmp(t, "...", 3) == 0)
		return true;
	if (t[0] == ' ' || t[len - 1] == ' ' || t[len - 1] == ':')
		return true;
	if (strstr(t, ": ") || strstr(t, " #"))
		return true;
	for (const char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

static void emit_quoted(buf *b, const char *t)
{
	puts_(b, "\"");
	for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
		char esc[8];
		switch (*p) {
		case '"': puts_(b, "\\\""); break;
		case '\\': puts_(b, "\\\\"); break;
		case '\n': puts_(b, "\\n"); break;
		case '\t': puts_(b, "\\t"); break;
		case '\r': puts_(b, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(esc, sizeof esc, "\\x%02x", *p);
				puts_(b, esc);
			} else {
				put(b, (const char *)p, 1);
			}
		}
	}
	puts_(b, "\"");
}

/* A scalar as a value (after "key:" or "-"): the separating space is written here, so that
 * a plain empty value (null) leaves the line bare. */
static void emit_scalar(buf *b, const sim_yaml_node *n, bool as_key)
{
	const char *t = n->text;
	if (!as_key && !n->quoted && t[0] == '\0')
		return;
	if (!as_key)
		puts_(b, " ");
	if (needs_quotes(t) || (n->quoted && looks_typed(t)))
		emit_quoted(b, t);
	else
		puts_(b, t);
}

static void emit_map(buf *b, const sim_yaml_node *n, int ind, bool inline_first);
static void emit_seq(buf *b, const sim_yaml_node *n, int ind, bool inline_first);

/* Ends a value's line, with its note as a comment aligned at column NOTE_COLUMN (or after
 * two spaces past it). */
#define NOTE_COLUMN 48
static void end_line(buf *b, const sim_yaml_node *v)
{
	char *note = b->note ? b->note(v, b->note_ctx) : NULL;
	if (note) {
		size_t start = b->n;
		while (start > 0 && b->s[start - 1] != '\n')
			start--;
		size_t col = b->n - start;
		indent(b, col + 2 < NOTE_COLUMN ? (int)(NOTE_COLUMN - col) : 2);
		puts_(b, "# ");
		puts_(b, note);
		sim_free(note);
	}
	puts_(b, "\n");
}

/* The value after "key:" or "-" on the current line, and the lines it needs below. */
static void emit_value(buf *b, const sim_yaml_node *v, int ind, bool in_seq)
{
	if (v->kind == SIM_YAML_SCALAR) {
		emit_scalar(b, v, false);
		end_line(b, v);
	} else if (v->n == 0) {
		puts_(b, v->kind == SIM_YAML_MAP ? " {}" : " []");
		end_line(b, v);
	} else if (in_seq) {
		/* "- key: v" and "- - item": the first entry shares the dash's line. */
		puts_(b, " ");
		if (v->kind == SIM_YAML_MAP)
			emit_map(b, v, ind + 2, true);
		else
			emit_seq(b, v, ind + 2, true);
	} else {
		puts_(b, "\n");
		if (v->kind == SIM_YAML_MAP)
			emit_map(b, v, ind + 2, false);
		else
			emit_seq(b, v, ind + 2, false);
	}
}

static void emit_map(buf *b, const sim_yaml_node *n, int ind, bool inline_first)
{
	for (size_t i = 0; i < n->n; i++) {
		if (i > 0 || !inline_first)
			indent(b, ind);
		emit_scalar(b, n->pairs[i].key, true);
		puts_(b, ":");
		emit_value(b, n->pairs[i].value, ind, false);
	}
}

static void emit_seq(buf *b, const sim_yaml_node *n, int ind, bool inline_first)
{
	for (size_t i = 0; i < n->n; i++) {
		if (i > 0 || !inline_first)
			indent(b, ind);
		puts_(b, "-");
		emit_value(b, n->items[i], ind, true);
	}
}

char *sim_yaml_emit(const sim_yaml_node *root)
{
	return sim_yaml_emit_noted(root, NULL, NULL);
}

char *sim_yaml_emit_noted(const sim_yaml_node *root, sim_yaml_note note, void *ctx)
{
	buf b = {.note = note, .note_ctx = ctx};
	puts_(&b, "");
	if (root->kind == SIM_YAML_SCALAR) {
		if (root->text[0] != '\0' || root->quoted) {
			emit_scalar(&b, root, true);
			puts_(&b, "\n");
		}
	} else if (root->n == 0) {
		puts_(&b, root->kind == SIM_YAML_MAP ? "{}\n" : "[]\n");
	} else if (root->kind == SIM_YAML_MAP) {
		emit_map(&b, root, 0, false);
	} else {
		emit_seq(&b, root, 0, false);
	}
	return b.s;
}
