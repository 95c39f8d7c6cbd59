/* Diagnostics: a list of input errors and warnings, printed like a compiler's.
 *
 * Invariants: every diagnostic and every registered source is a private copy owned by the
 * sim_diag; `seq` numbers diagnostics in report order so that sorting is stable (qsort is not).
 * Sorting happens on a copy of the index at print time, so reporting stays O(1).
 *
 * What is printed comes from the input (the source line, values quoted in messages, file
 * names), and goes to a terminal: control bytes and DEL are printed as \xNN, so a file cannot
 * move the cursor, clear the screen or hide text. The source line keeps its tabs, which the
 * caret line copies. */
#include "sim/diag.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"

typedef struct entry {
	sim_diag_severity sev;
	char *file;
	int line, col;
	char *msg;
	char *hint;
	size_t seq;
} entry;

typedef struct source {
	char *name;
	char *text;
	size_t len;
} source;

struct sim_diag {
	entry *items;
	size_t n, cap;
	source *sources;
	size_t nsources, capsources;
	size_t errors, warnings;
};

sim_diag *sim_diag_create(void)
{
	return sim_calloc(1, sizeof(sim_diag));
}

void sim_diag_destroy(sim_diag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		sim_free(d->items[i].file);
		sim_free(d->items[i].msg);
		sim_free(d->items[i].hint);
	}
	for (size_t i = 0; i < d->nsources; i++) {
		sim_free(d->sources[i].name);
		sim_free(d->sources[i].text);
	}
	sim_free(d->items);
	sim_free(d->sources);
	sim_free(d);
}

static source *find_source(const sim_diag *d, const char *name)
{
	for (size_t i = 0; i < d->nsources; i++)
		if (strcmp(d->sources[i].name, name) == 0)
			return &d->sources[i];
	return NULL;
}

void sim_diag_add_source(sim_diag *d, const char *name, const char *text, size_t len)
{
	source *s = find_source(d, name);
	if (s) {
		/* A source parsed again (e.g. reloaded) keeps its rank but shows the new text. */
		sim_free(s->text);
	} else {
		sim_grow(&d->sources, &d->capsources, d->nsources + 1, sizeof(source));
		s = &d->sources[d->nsources++];
		s->name = sim_strdup(name);
	}
	s->text = sim_malloc(len + 1);
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->len = len;
}

void sim_diag_report(sim_diag *d, sim_diag_severity sev, const char *file, int line, int col,
                     const char *fmt, ...)
{
	sim_grow(&d->items, &d->cap, d->n + 1, sizeof(entry));
	entry *e = &d->items[d->n];
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	e->msg = sim_malloc(len > 0 ? (size_t)len + 1 : 1);
	e->msg[0] = '\0';
	if (len > 0) {
		va_start(ap, fmt);
		vsnprintf(e->msg, (size_t)len + 1, fmt, ap);
		va_end(ap);
	}
	e->sev = sev;
	e->file = sim_strdup(file ? file : "kinesim");
	e->line = line > 0 ? line : 0;
	e->col = line > 0 && col > 0 ? col : 0;
	e->hint = NULL;
	e->seq = d->n;
	d->n++;
	if (sev == SIM_DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

void sim_diag_hint(sim_diag *d, const char *fmt, ...)
{
	if (d->n == 0)
		return;
	entry *e = &d->items[d->n - 1];
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sim_free(e->hint);
	e->hint = sim_malloc(len > 0 ? (size_t)len + 1 : 1);
	e->hint[0] = '\0';
	if (len > 0) {
		va_start(ap, fmt);
		vsnprintf(e->hint, (size_t)len + 1, fmt, ap);
		va_end(ap);
	}
}

size_t sim_diag_errors(const sim_diag *d)
{
	return d->errors;
}

size_t sim_diag_warnings(const sim_diag *d)
{
	return d->warnings;
}

/* Registered sources come first, in registration order (the scenario before the files it
 * names); other labels ("--set #2") follow in natural order, so #10 comes after #9. */
static size_t source_rank(const sim_diag *d, const char *file)
{
	for (size_t i = 0; i < d->nsources; i++)
		if (strcmp(d->sources[i].name, file) == 0)
			return i;
	return d->nsources;
}

static const sim_diag *sort_diag; /* qsort has no context argument in C11 */

static int compare(const void *pa, const void *pb)
{
	const entry *a = *(const entry *const *)pa, *b = *(const entry *const *)pb;
	size_t ra = source_rank(sort_diag, a->file), rb = source_rank(sort_diag, b->file);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	int c = strverscmp(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A growing string. */
typedef struct buf {
	char *s;
	size_t n, cap;
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

static bool is_control(unsigned char c, bool keep_tabs)
{
	return (c < 0x20 && !(keep_tabs && c == '\t')) || c == 0x7f;
}

/* len bytes of s, control bytes as \xNN (4 columns each). */
static void put_escaped(buf *b, const char *s, size_t len, bool keep_tabs)
{
	size_t from = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_control(c, keep_tabs))
			continue;
		char esc[8];
		put(b, s + from, i - from);
		snprintf(esc, sizeof esc, "\\x%02x", c);
		puts_(b, esc);
		from = i + 1;
	}
	put(b, s + from, len - from);
}

static void puts_escaped(buf *b, const char *s)
{
	put_escaped(b, s, strlen(s), false);
}

/* The source line (1-based) of text, or NULL; *len gets its length without the newline. */
static const char *source_line(const source *s, int line, size_t *len)
{
	const char *p = s->text, *end = s->text + s->len;
	for (int l = 1; l < line; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return NULL;
		p = nl + 1;
	}
	if (p >= end && line > 1)
		return NULL;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	if (n && p[n - 1] == '\r')
		n--;
	*len = n;
	return p;
}

static void format_entry(const sim_diag *d, const entry *e, bool with_source, buf *b)
{
	char head[64];
	const char *sev = e->sev == SIM_DIAG_ERROR ? "error" : "warning";
	puts_escaped(b, e->file);
	if (e->line > 0) {
		if (e->col > 0)
			snprintf(head, sizeof head, ":%d:%d: %s: ", e->line, e->col, sev);
		else
			snprintf(head, sizeof head, ":%d: %s: ", e->line, sev);
	} else {
		snprintf(head, sizeof head, ": %s: ", sev);
	}
	puts_(b, head);
	puts_escaped(b, e->msg);
	puts_(b, "\n");
	const source *s = e->line > 0 && with_source ? find_source(d, e->file) : NULL;
	size_t len = 0;
	const char *text = s ? source_line(s, e->line, &len) : NULL;
	if (text) {
		put_escaped(b, text, len, true);
		puts_(b, "\n");
		/* The caret goes under the col-th character: libyaml counts characters, not bytes,
		 * so UTF-8 continuation bytes add no column; tabs are copied so that the terminal
		 * expands them the same way in both lines; an escaped byte is 4 wide. */
		int col = 1;
		for (size_t i = 0; i < len && col < e->col; i++) {
			unsigned char c = (unsigned char)text[i];
			if ((c & 0xC0) == 0x80)
				continue;
			puts_(b, c == '\t' ? "\t" : is_control(c, true) ? "    " : " ");
			col++;
		}
		for (; col < e->col; col++)
			puts_(b, " ");
		puts_(b, "^\n");
	}
	if (e->hint) {
		puts_(b, "  hint: ");
		puts_escaped(b, e->hint);
		puts_(b, "\n");
	}
}

char *sim_diag_format(const sim_diag *d, bool with_source)
{
	buf b = {0};
	puts_(&b, "");
	if (d->n == 0)
		return b.s;
	const entry **order = sim_malloc(d->n * sizeof *order);
	for (size_t i = 0; i < d->n; i++)
		order[i] = &d->items[i];
	sort_diag = d;
	qsort(order, d->n, sizeof *order, compare);
	sort_diag = NULL;
	for (size_t i = 0; i < d->n; i++)
		format_entry(d, order[i], with_source, &b);
	sim_free(order);
	return b.s;
}

void sim_diag_print(const sim_diag *d, FILE *f)
{
	char *s = sim_diag_format(d, true);
	fputs(s, f);
	sim_free(s);
}

/* Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a
 * substring), case-insensitive. O(|a| |b|) time; the rows are allocated once per call. */
static size_t distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	size_t *prev2 = sim_malloc((m + 1) * sizeof(size_t));
	size_t *prev = sim_malloc((m + 1) * sizeof(size_t));
	size_t *cur = sim_malloc((m + 1) * sizeof(size_t));
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]),
			    cb = tolower((unsigned char)b[j - 1]);
			size_t best = prev[j - 1] + (ca != cb);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	size_t r = prev[m];
	sim_free(prev2);
	sim_free(prev);
	sim_free(cur);
	return r;
}

const char *sim_diag_suggest(const char *word, const char *const *candidates, size_t n)
{
	/* Distances are doubled so that a match differing only in case scores 1 (half an edit):
	 * it beats any real edit, and an exact match (0) beats it. */
	size_t limit = strlen(word) / 3;
	if (limit < 1)
		limit = 1;
	const char *best = NULL;
	size_t best_score = 0;
	for (size_t i = 0; i < n; i++) {
		if (!candidates[i])
			continue;
		size_t dist = distance(word, candidates[i]);
		if (dist > limit)
			continue;
		size_t score = 2 * dist + (dist == 0 && strcmp(word, candidates[i]) != 0);
		if (!best || score < best_score) {
			best = candidates[i];
			best_score = score;
		}
	}
	return best;
}
