/* schema: to be written */
typedef int sim_schema_placeholder;
