/* queue: to be written */
typedef int sim_queue_placeholder;
