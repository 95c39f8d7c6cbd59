/* Diagnostics for input errors, printed like a compiler's:
 *
 *   scenarios/x.yaml:18:9: error: unknown key 'batch_sise' in kinesis trigger; did you mean
 * 'batch_size'? batch_sise: 100
 *     ^
 *
 * Messages are collected (all errors are reported, not only the first) and printed sorted by
 * source, line and column, so the output does not depend on the order checks ran in. A
 * diagnostic without a position (line 0) prints as "LABEL: error: ..." (e.g. "--set #2").
 * Sources registered with sim_diag_add_source are used to print the line and the caret.
 * Control bytes and DEL in what is printed (file names, messages, hints, source lines but for
 * their tabs) come out as \xNN: input never reaches the terminal as escape sequences. */
#ifndef SIM_DIAG_H
#define SIM_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct sim_diag sim_diag;

typedef enum { SIM_DIAG_ERROR, SIM_DIAG_WARNING } sim_diag_severity;

sim_diag *sim_diag_create(void);
void sim_diag_destroy(sim_diag *d); /* NULL: nothing */

/* Registers the text of a named source (copied) for the source-line display. */
void sim_diag_add_source(sim_diag *d, const char *name, const char *text, size_t len);

/* line and col are 1-based; line 0 means no position. */
void sim_diag_report(sim_diag *d, sim_diag_severity sev, const char *file, int line, int col,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Attaches a hint to the last diagnostic, printed under its caret as "  hint: ...". */
void sim_diag_hint(sim_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

size_t sim_diag_errors(const sim_diag *d);
size_t sim_diag_warnings(const sim_diag *d);

/* Prints every diagnostic, sorted, each followed by its source line and a caret. */
void sim_diag_print(const sim_diag *d, FILE *f);
/* The same, as one string (for tests comparing exact messages). Caller frees (sim_free). */
char *sim_diag_format(const sim_diag *d, bool with_source);

/* The closest candidate to word within a small edit distance, or NULL ("did you mean"). */
const char *sim_diag_suggest(const char *word, const char *const *candidates, size_t n);

#endif
