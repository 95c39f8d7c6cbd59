/* units: to be written */
typedef int sim_units_placeholder;
