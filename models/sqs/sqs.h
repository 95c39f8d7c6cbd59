/* The SQS component (core/component.h): `queues:` (queues.c). */
#ifndef KS_SQS_H
#define KS_SQS_H

#include "models/core/component.h"

extern const ks_component ks_queues_component;

#endif
