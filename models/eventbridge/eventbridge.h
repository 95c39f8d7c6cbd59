/* The EventBridge component (core/component.h): `buses:` (buses.c). */
#ifndef KS_EVENTBRIDGE_H
#define KS_EVENTBRIDGE_H

#include "models/core/component.h"

extern const ks_component ks_buses_component;

#endif
