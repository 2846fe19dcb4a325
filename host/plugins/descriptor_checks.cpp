#include "plugins/descriptor_checks.h"

#include <cstddef>

namespace p88::plugins {
namespace {

bool validSlug(const char* s) {
  if (s == nullptr || *s == '\0') return false;
  for (const char* p = s; *p; ++p)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
  return true;
}

bool validStreamName(const char* s) {
  if (s == nullptr || *s == '\0') return false;
  for (const char* p = s; *p; ++p)
    if (!((*p >= 'a' && *p <= 'z') || *p == '_')) return false;
  return true;
}

std::string n(uint64_t v) { return std::to_string(v); }

}  // namespace

std::optional<std::string> checkDescriptor(const p88_plugin_descriptor* d) {
  if (d == nullptr) return "p88_plugin_entry() returned NULL instead of a descriptor";
  // The version fields must be readable before anything else means anything.
  constexpr size_t header = offsetof(p88_plugin_descriptor, abi_minor) + sizeof(uint32_t);
  if (d->struct_size < header)
    return "descriptor too small: struct_size is " + n(d->struct_size) +
           ", even the version header needs " + n(header);
  if (d->abi_major != P88_ABI_MAJOR)
    return "ABI major version mismatch: plugin was built for ABI " + n(d->abi_major) + "." +
           n(d->abi_minor) + ", this host speaks ABI " + n(P88_ABI_MAJOR) + "." +
           n(P88_ABI_MINOR) + " (rebuild the plugin against this host's SDK)";
  if (d->abi_minor > P88_ABI_MINOR)
    return "ABI minor version too new: plugin needs ABI " + n(d->abi_major) + "." +
           n(d->abi_minor) + ", this host provides " + n(P88_ABI_MAJOR) + "." + n(P88_ABI_MINOR) +
           " (upgrade p88host)";
  if (d->struct_size < P88_DESCRIPTOR_MIN_SIZE)
    return "descriptor too small: struct_size is " + n(d->struct_size) + ", ABI " +
           n(P88_ABI_MAJOR) + "." + n(d->abi_minor) + " needs at least " +
           n(P88_DESCRIPTOR_MIN_SIZE);
  if (d->name == nullptr || *d->name == '\0') return "required field name is NULL or empty";
  if (!validSlug(d->slug))
    return std::string("field slug is '") + (d->slug ? d->slug : "(NULL)") +
           "', expected lower-case letters, digits and underscores";
  if (d->version == nullptr || *d->version == '\0') return "required field version is NULL or empty";
  if (d->auth_kind > P88_AUTH_JWT)
    return "field auth_kind is " + n(d->auth_kind) + ", expected 0 to " + n(P88_AUTH_JWT);
  if (d->default_calls_per_hour == 0) return "field default_calls_per_hour is 0, expected > 0";
  if (d->stream_count == 0 || d->streams == nullptr)
    return "the plugin declares no streams (stream_count " + n(d->stream_count) + ")";
  for (uint32_t i = 0; i < d->stream_count; ++i) {
    const p88_stream_info& s = d->streams[i];
    std::string where = "stream " + n(i);
    if (s.struct_size < sizeof(p88_stream_info))
      return where + ": struct_size is " + n(s.struct_size) + ", needs " + n(sizeof(p88_stream_info));
    if (!validStreamName(s.name))
      return where + ": name '" + (s.name ? s.name : "(NULL)") + "' is not [a-z_]+";
    if (s.modes == 0 || (s.modes & ~(P88_MODE_FULL | P88_MODE_INCREMENTAL)) != 0)
      return where + " (" + s.name + "): modes is " + n(s.modes) + ", expected full and/or incremental";
    if (s.scope > P88_SCOPE_EVENT)
      return where + " (" + s.name + "): scope is " + n(s.scope) + ", expected 0 or 1";
  }
  // ABI 1.2: coalescing, for incremental event-scoped streams the plugin declares.
  if (d->struct_size >= offsetof(p88_plugin_descriptor, coalescing_count) + sizeof(uint32_t) &&
      d->coalescing_count > 0) {
    if (d->coalescing == nullptr) return "coalescing_count is " + n(d->coalescing_count) + " but coalescing is NULL";
    for (uint32_t i = 0; i < d->coalescing_count; ++i) {
      const p88_coalescing* c = d->coalescing[i];
      const std::string where = "coalescing " + n(i);
      if (c == nullptr || c->struct_size < P88_COALESCING_MIN_SIZE)
        return where + ": NULL or struct_size too small";
      const p88_stream_info* stream = nullptr;
      for (uint32_t j = 0; j < d->stream_count; ++j)
        if (c->stream && d->streams[j].name && std::string(c->stream) == d->streams[j].name) stream = &d->streams[j];
      if (stream == nullptr) return where + ": stream '" + (c->stream ? c->stream : "(NULL)") + "' is not declared";
      if (stream->scope != P88_SCOPE_EVENT || !(stream->modes & P88_MODE_INCREMENTAL))
        return where + " (" + c->stream + "): only incremental event-scoped streams can be coalesced";
      if (c->group != P88_COALESCE_RACE && c->group != P88_COALESCE_ACCOUNT)
        return where + " (" + c->stream + "): group is " + n(c->group) + ", expected 1 (race) or 2 (account)";
      const uint32_t modes = coalescingModes(*c);
      if ((modes & ~(P88_MODE_FULL | P88_MODE_INCREMENTAL)) != 0 || !(modes & P88_MODE_INCREMENTAL))
        return where + " (" + c->stream + "): modes is " + n(modes) + ", expected incremental, or full and incremental";
      if ((modes & P88_MODE_FULL) && !(stream->modes & P88_MODE_FULL))
        return where + " (" + c->stream + "): coalesces full reads of a stream without full reads";
    }
  }
  if (d->sync == nullptr) return "required function sync is NULL";
  if (d->auth_kind == P88_AUTH_OAUTH2 && d->authenticate == nullptr)
    return "required function authenticate is NULL (auth_kind is oauth2)";
  return std::nullopt;
}

}  // namespace p88::plugins
