/* The S3 component (core/component.h): `buckets:` (buckets.c). */
#ifndef KS_S3_H
#define KS_S3_H

#include "models/core/component.h"

extern const ks_component ks_buckets_component;

#endif
