/* h5: to be written */
typedef int sim_h5_placeholder;
