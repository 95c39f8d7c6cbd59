/* series: to be written */
typedef int sim_series_placeholder;
