/* The SNS component (core/component.h): `topics:` (topics.c). */
#ifndef KS_SNS_H
#define KS_SNS_H

#include "models/core/component.h"

extern const ks_component ks_topics_component;

#endif
