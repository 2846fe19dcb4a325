// The race-morning status page (GET /): plain server-rendered HTML and a little CSS, no script;
// it reloads itself every 15 s. Rows carry data-* attributes naming each event and its state, for
// people's tools and the browser test.
#include <date/date.h>

#include <sstream>

#include "status/race_morning.h"

namespace p88::status {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* kStyle = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:12px;background:#f6f7f9;color:#1b1f24}
h1{font-size:1.3em;margin:0 0 4px}h2{font-size:1.05em;margin:18px 0 6px}
.meta{color:#57606a;font-size:.9em;margin-bottom:10px}
.banner{padding:10px 12px;border-radius:6px;font-weight:600;margin:8px 0}
.banner.ok{background:#dafbe1;color:#116329}.banner.bad{background:#ffebe9;color:#a40e26}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92em}
th,td{padding:6px 8px;border-bottom:1px solid #d8dee4;text-align:left;white-space:nowrap}
th{background:#eaeef2;font-weight:600}.num{text-align:right}
tr.stale td,tr.failing td{background:#fff5f5}
.state{font-weight:700;border-radius:4px;padding:2px 6px;font-size:.85em}
.state.ok{background:#dafbe1;color:#116329}.state.bad{background:#cf222e;color:#fff}
td.error{white-space:normal;min-width:16em;color:#a40e26;font-size:.88em}td.name{white-space:normal;min-width:10em}
.bar{display:inline-block;width:6em;height:.7em;background:#eaeef2;border-radius:3px;vertical-align:middle;margin-right:6px}
.bar i{display:block;height:100%;background:#0969da;border-radius:3px}.bar i.high{background:#cf222e}
@media (max-width:600px){body{padding:6px}th,td{padding:5px 6px}.wide{display:none}}
)css";

}  // namespace

std::string renderHtml(const RaceMorning& view, const std::string& version) {
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    << "<meta http-equiv=\"refresh\" content=\"15\">"
    << "<title>p88: " << escape(summaryOf(view)) << "</title><style>" << kStyle << "</style></head><body>\n";
  h << "<h1>p88 race morning</h1><div class=\"meta\">" << escape(date::format("%Y-%m-%d %H:%M:%S UTC", view.now))
    << " &middot; events starting within " << escape(formatDuration(view.horizon_seconds)) << " &middot; p88host "
    << escape(version) << " &middot; refreshes every 15 s</div>\n";
  h << "<div id=\"summary\" class=\"banner " << (view.healthy() ? "ok" : "bad") << "\" data-stale=\""
    << view.staleCount() << "\" data-failing=\"" << view.failingCount() << "\">" << escape(summaryOf(view))
    << "</div>\n";

  h << "<h2>Events</h2><div class=\"scroll\"><table id=\"events\"><thead><tr><th>State</th><th>Start (local)</th>"
       "<th>Event</th><th>Provider</th><th class=\"num\">Data age</th><th class=\"num\">Next sync</th>"
       "<th class=\"num\">Registrations</th><th class=\"num wide\">Changes 1 h</th><th class=\"wide\">Partner</th>"
       "<th>Last error</th></tr></thead><tbody>\n";
  for (const auto& e : view.events) {
    const std::string state = stateOf(e);
    std::string cls = "event";
    if (e.stale) cls += " stale";
    if (e.failing) cls += " failing";
    h << "<tr class=\"" << cls << "\" data-provider=\"" << escape(e.provider) << "\" data-event=\"" << escape(e.event_id)
      << "\" data-state=\"" << escape(state) << "\" data-age=\"" << (e.age_seconds ? std::to_string(*e.age_seconds) : "")
      << "\">"
      << "<td><span class=\"state " << (state == "ok" ? "ok" : "bad") << "\">" << escape(state) << "</span></td>"
      << "<td>" << escape(e.start_local) << "</td><td class=\"name\">" << escape(e.name) << " <small>(" << escape(e.event_id)
      << ")</small></td><td>" << escape(e.provider) << "</td>"
      << "<td class=\"num\">" << escape(formatDuration(e.age_seconds)) << "</td><td class=\"num\">"
      << escape(nextSyncOf(e))
      << "</td><td class=\"num\">" << e.registrations << "</td><td class=\"num wide\">" << e.changes_last_hour
      << "</td><td class=\"wide\">" << escape(e.partner)
      << "</td><td class=\"error\">" << escape(e.last_error) << "</td></tr>\n";
  }
  if (view.events.empty()) h << "<tr><td colspan=\"10\">No event starts within the horizon.</td></tr>\n";
  h << "</tbody></table></div>\n";

  h << "<h2>Credentials (last hour)</h2><div class=\"scroll\"><table id=\"credentials\"><thead><tr><th>Id</th>"
       "<th>Provider</th><th>Partner</th><th>Calls / budget</th><th class=\"num\">Throttles</th></tr></thead><tbody>\n";
  for (const auto& c : view.credentials) {
    const int64_t pct = c.budget_per_hour > 0 ? std::min<int64_t>(100, c.calls_last_hour * 100 / c.budget_per_hour) : 0;
    h << "<tr class=\"credential\" data-credential=\"" << c.id << "\" data-throttles=\"" << c.throttles << "\"><td>"
      << c.id << "</td><td>" << escape(c.provider) << "</td><td>" << escape(c.partner) << "</td><td><span class=\"bar\"><i"
      << (pct >= 90 ? " class=\"high\"" : "") << " style=\"width:" << pct << "%\"></i></span>" << c.calls_last_hour
      << " / " << c.budget_per_hour << "</td><td class=\"num\">" << c.throttles << "</td></tr>\n";
  }
  h << "</tbody></table></div>\n";

  h << "<h2>Queue</h2><div class=\"scroll\"><table id=\"queue\"><thead><tr>";
  for (const auto& [status, n] : view.queue) h << "<th class=\"num\">" << escape(status) << "</th>";
  h << "</tr></thead><tbody><tr>";
  for (const auto& [status, n] : view.queue) h << "<td class=\"num\" data-status=\"" << escape(status) << "\">" << n << "</td>";
  h << "</tr></tbody></table></div>\n</body></html>\n";
  return h.str();
}

}  // namespace p88::status
