// pppoectl's `show sessions`: which sessions (accel-cmd's `match`), in which order, how many and
// which columns; the table itself. The rows come page by page (ctl/session_pages.hpp).
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "ctl/control_socket.hpp"

namespace pppoe::ctl {

struct SessionListQuery {
  Json match = Json::object();       ///< sent to pppoed: FIELD -> pattern (or number)
  std::string order;                 ///< a column; "" = by session ID, printed as the pages come
  bool descending = false;
  std::size_t limit = 0;             ///< 0 = every session
  std::vector<std::string> columns;  ///< in this order
};

/// `[match FIELD PATTERN]... [order COLUMN [desc]] [limit N] [columns A,B,...]`.
std::expected<SessionListQuery, std::string> parse_session_list(const std::vector<std::string>& args);
/// The column names, for the help.
std::string session_columns_help();

std::string session_table_header(const std::vector<std::string>& columns);
std::string session_table_row(const Json& session, const std::vector<std::string>& columns, std::int64_t now_ms);
/// Sorts by `query.order` (stable, so ties stay by ID) and cuts at `query.limit`.
void order_sessions(std::vector<Json>& sessions, const SessionListQuery& query, std::int64_t now_ms);
/// "4m", "2h05m".
std::string human_uptime(std::int64_t seconds);

}  // namespace pppoe::ctl
