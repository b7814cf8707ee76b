#include "shim_nice.h"

void shim_nice_agent_configure(NiceAgent *agent, gboolean controlling, gboolean ice_tcp) {
    g_object_set(G_OBJECT(agent), "controlling-mode", controlling, "upnp", FALSE,
                 "ice-tcp", ice_tcp, NULL);
}
void shim_nice_agent_set_controlling(NiceAgent *agent, gboolean controlling) {
    g_object_set(G_OBJECT(agent), "controlling-mode", controlling, NULL);
}
gboolean shim_nice_agent_get_controlling(NiceAgent *agent) {
    gboolean v = FALSE;
    g_object_get(G_OBJECT(agent), "controlling-mode", &v, NULL);
    return v;
}
void shim_nice_agent_set_stun(NiceAgent *agent, const char *server, guint port) {
    g_object_set(G_OBJECT(agent), "stun-server", server, "stun-server-port", port, NULL);
}
void shim_nice_agent_set_uint(NiceAgent *agent, const char *property, guint value) {
    g_object_set(G_OBJECT(agent), property, value, NULL);
}
void shim_nice_agent_set_bool(NiceAgent *agent, const char *property, gboolean value) {
    g_object_set(G_OBJECT(agent), property, value, NULL);
}
