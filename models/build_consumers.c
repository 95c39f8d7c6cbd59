/* Scenario tree -> KCL-style consumers (`consumers:`). */
#include "models/build_internal.h"

void ks_build_consumers(ks_model *m)
{
	(void)m; /* consumers: is refused by the scenario layer until its model lands */
}
