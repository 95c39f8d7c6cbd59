/* dist: to be written */
typedef int sim_dist_placeholder;
