/* engine: to be written */
typedef int sim_engine_placeholder;
