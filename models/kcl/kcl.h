/* The KCL component (core/component.h): `consumers:`, applications that read a stream with
 * the Kinesis Client Library (consumers.c). */
#ifndef KS_KCL_H
#define KS_KCL_H

#include "models/core/component.h"

extern const ks_component ks_consumers_component;

#endif
