/* hist: to be written */
typedef int sim_hist_placeholder;
