/* The Firehose component (core/component.h): `firehoses:`, delivery streams from a Kinesis
 * stream to S3 (firehoses.c). */
#ifndef KS_FIREHOSE_H
#define KS_FIREHOSE_H

#include "models/core/component.h"

extern const ks_component ks_firehoses_component;

#endif
