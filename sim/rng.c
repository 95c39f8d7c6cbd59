/* rng: to be written */
typedef int sim_rng_placeholder;
