/* The registry: every kind of component, in the order the model builds, runs and summarizes
 * them (core/component.h). A new AWS component is one folder under models/ and one line in
 * registry.c. */
#ifndef KS_REGISTRY_H
#define KS_REGISTRY_H

#include "models/core/component.h"

/* NULL ended. */
extern const ks_component *const ks_registry[];

/* The kind whose scenario key is `key`; NULL when none. */
const ks_component *ks_registry_kind(const char *key);

#endif
