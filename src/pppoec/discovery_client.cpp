#include "pppoec/discovery_client.hpp"

#include <algorithm>

namespace pppoe::pppoec {

using pppoe_proto::Code;

const char* to_string(DiscoveryClient::State s) {
  switch (s) {
    case DiscoveryClient::State::kIdle: return "idle";
    case DiscoveryClient::State::kPadiSent: return "padi-sent";
    case DiscoveryClient::State::kPadrSent: return "padr-sent";
    case DiscoveryClient::State::kSession: return "session";
    case DiscoveryClient::State::kFailed: return "failed";
  }
  return "?";
}

void DiscoveryClient::start(TimePoint now) {
  session_id_ = 0;
  max_payload_ = 0;
  cookie_.reset();
  relay_.reset();
  failure_.clear();
  enter(State::kPadiSent, now);
}

void DiscoveryClient::enter(State s, TimePoint now) {
  state_ = s;
  attempts_ = 1;
  timeout_ = settings_.first_timeout;
  deadline_ = now + timeout_;
  if (s == State::kPadiSent)
    send_padi();
  else
    send_padr();
}

void DiscoveryClient::send_padi() {
  pppoe_proto::Tags tags;
  tags.service_name = settings_.service;  // section 5.1: exactly one Service-Name, empty = any
  tags.host_uniq = settings_.host_uniq;
  if (settings_.max_payload > 1492) tags.ppp_max_payload = settings_.max_payload;
  out_.send_discovery(Code::kPadi, MacAddress::broadcast(), 0, tags);
  ++counters_.padi_sent;
}

void DiscoveryClient::send_padr() {
  pppoe_proto::Tags tags;
  tags.service_name = service_seen_;
  tags.host_uniq = settings_.host_uniq;
  tags.ac_cookie = cookie_;        // section 5.3: echoed unmodified
  tags.relay_session_id = relay_;  // section 5.4
  if (settings_.max_payload > 1492) tags.ppp_max_payload = settings_.max_payload;
  out_.send_discovery(Code::kPadr, ac_mac_, 0, tags);
  ++counters_.padr_sent;
}

bool DiscoveryClient::ours(const pppoe_proto::Tags& tags) const {
  if (settings_.host_uniq.empty()) return !tags.host_uniq.has_value();
  return tags.host_uniq && *tags.host_uniq == settings_.host_uniq;
}

void DiscoveryClient::receive(const MacAddress& src, const pppoe_proto::Packet& packet,
                              const pppoe_proto::Tags& tags, TimePoint now) {
  switch (packet.header.code) {
    case Code::kPado: {
      ++counters_.pado_received;
      if (state_ != State::kPadiSent || !ours(tags) || src.is_multicast() || packet.header.session_id != 0) {
        ++counters_.pado_not_ours;
        return;
      }
      if (tags.service_name_error || tags.ac_system_error || tags.generic_error) {
        ++counters_.error_tags;
        return;
      }
      // Section 5.2: the PADO lists the services the AC offers; ours must be one of them.
      bool service_ok = settings_.service.empty();
      if (tags.service_name && *tags.service_name == settings_.service) service_ok = true;
      for (const auto& s : tags.more_service_names)
        if (s == settings_.service) service_ok = true;
      if (!tags.ac_name || !service_ok || (!settings_.ac_name.empty() && *tags.ac_name != settings_.ac_name)) {
        ++counters_.pado_unwanted;  // an AC-Name is mandatory in a PADO (section 5.2)
        return;
      }
      ac_mac_ = src;
      ac_name_seen_ = *tags.ac_name;
      service_seen_ = settings_.service;
      cookie_ = tags.ac_cookie;
      relay_ = tags.relay_session_id;
      enter(State::kPadrSent, now);
      return;
    }
    case Code::kPads: {
      ++counters_.pads_received;
      if (state_ != State::kPadrSent || src != ac_mac_ || !ours(tags)) return;
      if (packet.header.session_id == 0 || tags.service_name_error || tags.ac_system_error || tags.generic_error) {
        ++counters_.pads_rejected;
        fail(tags.service_name_error   ? "Service-Name-Error: " + *tags.service_name_error
             : tags.ac_system_error    ? "AC-System-Error: " + *tags.ac_system_error
             : tags.generic_error      ? "Generic-Error: " + *tags.generic_error
                                       : "PADS with session ID 0");
        return;
      }
      session_id_ = packet.header.session_id;
      // RFC 4638 section 4: only a PADS that carries PPP-Max-Payload allows an MRU above 1492.
      max_payload_ = settings_.max_payload > 1492 && tags.ppp_max_payload && *tags.ppp_max_payload > 1492
                         ? std::min(*tags.ppp_max_payload, settings_.max_payload)
                         : 0;
      state_ = State::kSession;
      return;
    }
    case Code::kPadt:
      ++counters_.padt_received;
      return;  // the owner matches it to the session (it knows whether one is up)
    case Code::kPadi:
    case Code::kPadr:
    case Code::kSession:
      return;
  }
}

void DiscoveryClient::tick(TimePoint now) {
  if ((state_ != State::kPadiSent && state_ != State::kPadrSent) || now < deadline_) return;
  // Section 5.1: resend and double the waiting period.
  timeout_ = std::min(timeout_ * 2, settings_.max_timeout);
  deadline_ = now + timeout_;
  ++counters_.retransmits;
  if (state_ == State::kPadiSent) {
    if (attempts_ >= settings_.padi_attempts) {
      fail("no PADO");
      return;
    }
    ++attempts_;
    send_padi();
    return;
  }
  if (attempts_ >= settings_.padr_attempts) {
    // The AC we chose went quiet: discover again, another may answer.
    enter(State::kPadiSent, now);
    return;
  }
  ++attempts_;
  send_padr();
}

std::optional<TimePoint> DiscoveryClient::next_deadline() const {
  if (state_ == State::kPadiSent || state_ == State::kPadrSent) return deadline_;
  return std::nullopt;
}

void DiscoveryClient::terminate(const std::string& reason) {
  if (state_ == State::kSession && session_id_ != 0) {
    pppoe_proto::Tags tags;
    if (!reason.empty()) tags.generic_error = reason;  // section 5.5: a PADT may say why
    out_.send_discovery(Code::kPadt, ac_mac_, session_id_, tags);
    ++counters_.padt_sent;
  }
  state_ = State::kIdle;
}

void DiscoveryClient::adopt(const MacAddress& ac, std::uint16_t session_id, std::uint16_t max_payload) {
  ac_mac_ = ac;
  session_id_ = session_id;
  max_payload_ = max_payload;
  state_ = State::kSession;
}

void DiscoveryClient::fail(std::string why) {
  state_ = State::kFailed;
  failure_ = std::move(why);
}

}  // namespace pppoe::pppoec
