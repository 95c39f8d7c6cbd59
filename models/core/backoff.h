/* Jitter of a retry's backoff (the AWS SDKs' and the architecture blog's names): none, full
 * (U(0, d)), or equal (d/2 + U(0, d/2)). Producers' resends and Lambda pollers' read backoff
 * use it. */
#ifndef KS_BACKOFF_H
#define KS_BACKOFF_H

typedef enum { KS_JITTER_NONE, KS_JITTER_FULL, KS_JITTER_EQUAL } ks_jitter;

#endif
