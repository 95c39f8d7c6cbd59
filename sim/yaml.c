/* yaml: to be written */
typedef int sim_yaml_placeholder;
