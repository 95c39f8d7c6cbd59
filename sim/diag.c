/* diag: to be written */
typedef int sim_diag_placeholder;
