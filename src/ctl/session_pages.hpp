// The client side of `show sessions` (master/session_query.hpp): pppoed answers a page per
// request and says where the next one starts; this asks until the list is done.
#pragma once

#include <cstdint>

#include "ctl/control_socket.hpp"

namespace pppoe::ctl {

/// `call(request)` sends one request and returns an expected JSON answer (a local socket or
/// remote control); `on_page(sessions)` gets each page's array and returns false to stop.
/// Returns the last answer, or the first error. A pppoed without pages (no "next") answers
/// the whole list at once.
template <typename Call, typename OnPage>
auto for_each_session_page(Call&& call, Json request, OnPage&& on_page) -> decltype(call(request)) {
  request["cmd"] = "show";
  request["what"] = "sessions";
  std::uint64_t from = 1;
  for (;;) {
    request["from"] = from;
    auto answer = call(request);
    if (!answer || !answer->is_object() || !answer->contains("sessions")) return answer;
    if (!on_page((*answer)["sessions"])) return answer;
    const auto& next = (*answer)["next"];
    // A next page only forward: a confused answer cannot make this loop for ever.
    if (!next.is_number_integer() || next.template get<std::int64_t>() <= static_cast<std::int64_t>(from)) return answer;
    from = next.template get<std::uint64_t>();
  }
}

}  // namespace pppoe::ctl
