#ifndef SHIM_NICE_H
#define SHIM_NICE_H
#include <glib.h>
#include <glib-object.h>
#include <nice/agent.h>
/* g_object_set/get are variadic. UPnP stays off: it sends SSDP multicast and delays gathering. */
void shim_nice_agent_configure(NiceAgent *agent, gboolean controlling, gboolean ice_tcp);
void shim_nice_agent_set_controlling(NiceAgent *agent, gboolean controlling);
gboolean shim_nice_agent_get_controlling(NiceAgent *agent);
void shim_nice_agent_set_stun(NiceAgent *agent, const char *server, guint port);
void shim_nice_agent_set_uint(NiceAgent *agent, const char *property, guint value);
void shim_nice_agent_set_bool(NiceAgent *agent, const char *property, gboolean value);
#endif
