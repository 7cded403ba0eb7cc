#include "master/discovery.hpp"

#include <algorithm>

namespace pppoe::master {

using dataplane::Drop;
using pppoe_proto::Code;
using pppoe_proto::Tags;

Discovery::Discovery(const Config& config, dataplane::PacketSocket& socket, SessionDirectory& sessions,
                     dataplane::DropCounters& drops, const CpuSampler& cpu)
    : config_(config),
      socket_(socket),
      sessions_(sessions),
      cpu_(cpu),
      drops_(drops),
      cookie_(config.cookie_rotate),
      guard_(config.limits) {}

namespace {
const char* code_name(pppoe_proto::Code c) {
  switch (c) {
    case pppoe_proto::Code::kPadi: return "PADI";
    case pppoe_proto::Code::kPado: return "PADO";
    case pppoe_proto::Code::kPadr: return "PADR";
    case pppoe_proto::Code::kPads: return "PADS";
    case pppoe_proto::Code::kPadt: return "PADT";
    case pppoe_proto::Code::kSession: break;
  }
  return "code ?";
}

}  // namespace

void Discovery::refused(const ether::Header& eth, std::string why) const {
  if (on_refused) on_refused(eth, std::move(why));
}

void Discovery::drop(Drop reason, const ether::Header& eth) {
  drops_.count(reason);
  ++counters_.invalid;
  log::warn_limited(drop_log_, "discovery: dropped frame from {}: {}", eth.src.to_string(), dataplane::to_string(reason));
}

void Discovery::on_frame(const ether::Header& eth, Bytes payload, std::int64_t now) {
  auto pkt = pppoe_proto::decode(payload);
  if (!pkt) {
    drop(Drop::kDiscoveryMalformed, eth);
    return;
  }
  if (eth.src.is_multicast() || eth.src.is_zero()) {
    drop(Drop::kDiscoveryMalformed, eth);
    return;
  }
  auto tags = pppoe_proto::decode_tags(pkt->payload);
  if (debugged && debugged(eth.src))
    log::write(log::Level::kDebug,
               fmt::format("debug {}: rx {} session {}{}", eth.src.to_string(), code_name(pkt->header.code),
                           pkt->header.session_id,
                           tags && tags->service_name ? fmt::format(" service-name '{}'", printable_text(as_bytes(*tags->service_name), 64)) : ""));
  if (!tags) {
    drop(Drop::kDiscoveryMalformed, eth);
    return;
  }
  switch (pkt->header.code) {
    case Code::kPadi: on_padi(eth, *pkt, *tags, now); return;
    case Code::kPadr: on_padr(eth, *pkt, *tags, now); return;
    case Code::kPadt: on_padt(eth, *pkt); return;
    case Code::kPado:   // another access concentrator on the segment
    case Code::kPads:
    case Code::kSession:
      drops_.count(Drop::kDiscoveryUnexpectedCode);
      return;
  }
}

bool Discovery::serves(const std::string& requested) const {
  if (requested.empty()) return config_.accept_empty_service;
  if (config_.service_names.empty()) return true;
  return std::find(config_.service_names.begin(), config_.service_names.end(), requested) !=
         config_.service_names.end();
}

std::optional<std::uint16_t> Discovery::agreed_max_payload(const Tags& request) const {
  if (!request.ppp_max_payload || config_.max_payload == 0) return std::nullopt;
  std::uint16_t wanted = *request.ppp_max_payload;
  // PPPoE adds 8 bytes (6 header + 2 protocol) to each PPP payload.
  std::uint16_t link_max = static_cast<std::uint16_t>(std::max(0, socket_.mtu() - 8));
  if (wanted < 1492 || wanted > config_.max_payload || wanted > link_max) return std::nullopt;
  return wanted;
}

std::size_t Discovery::encode_reply(MutableBytes buf, const ether::Header& to, Code code, std::uint16_t session_id,
                                    const Tags& tags) const {
  ByteWriter w(buf);
  ether::encode(ether::Header{to.src, socket_.mac(), to.vlans, config_.ether_types().discovery}, w);
  std::size_t n = pppoe_proto::encode_discovery(buf.subspan(w.size()), code, session_id, tags);
  return n == 0 || w.overflow() ? 0 : w.size() + n;
}

void Discovery::reply(const ether::Header& to, Code code, std::uint16_t session_id, const Tags& tags) {
  if (std::size_t n = encode_reply(socket_.tx_buffer(), to, code, session_id, tags); n > 0) socket_.commit(n);
}

void Discovery::on_padi(const ether::Header& eth, const pppoe_proto::Packet& pkt, const Tags& tags,
                        std::int64_t now) {
  ++counters_.padi_rx;
  // Section 5.1: broadcast destination, SESSION_ID zero, exactly one Service-Name.
  if (!eth.dst.is_broadcast() || pkt.header.session_id != 0) {
    drop(Drop::kPadiNotBroadcast, eth);
    return;
  }
  if (!tags.service_name) {
    drop(Drop::kPadiNoServiceName, eth);
    return;
  }
  // Section 5.2: an AC that cannot serve the PADI MUST NOT answer it.
  if (!serves(*tags.service_name)) {
    drops_.count(Drop::kServiceUnavailable);
    refused(eth, fmt::format("Service-Name '{}' not offered here (PADI not answered)", printable_text(as_bytes(*tags.service_name), 64)));
    return;
  }
  if (sessions_.session_count() >= config_.max_sessions) {
    drops_.count(Drop::kMaxSessions);
    refused(eth, "max-sessions reached (PADI not answered)");
    return;
  }
  if (!sessions_.accepting()) {
    // Every worker drains (or restarts): a PADO would win a PADR that must be refused, while
    // silence sends the subscriber to another box on the segment (RFC 2516 section 5.1 lets
    // the AC stay silent).
    drops_.count(Drop::kPadoSuppressed);
    refused(eth, "no worker accepting sessions (PADI not answered)");
    return;
  }
  TimePoint clock = Clock::now();
  PadiVerdict verdict = guard_.on_padi(eth.src, sessions_.session_count(), cpu_.usage(), clock);
  if (verdict.drop) {
    drops_.count(*verdict.drop);
    log::warn_limited(refusal_log_, "discovery: PADI from {} not answered: {}", eth.src.to_string(),
                      dataplane::to_string(*verdict.drop));
    refused(eth, fmt::format("PADI not answered: limit {}", dataplane::to_string(*verdict.drop)));
    return;
  }
  Tags offer;
  offer.ac_name = config_.ac_name;
  offer.service_name = *tags.service_name;
  if (tags.service_name->empty())
    for (const auto& s : config_.service_names) offer.more_service_names.push_back(s);
  offer.host_uniq = tags.host_uniq;
  offer.relay_session_id = tags.relay_session_id;
  auto cookie = cookie_.make(eth.src, eth.vlans, now);
  offer.ac_cookie = std::vector<std::uint8_t>(cookie.begin(), cookie.end());
  offer.ppp_max_payload = agreed_max_payload(tags);
  std::size_t max_starting = config_.limits.max_starting;
  bool wait = max_starting != 0 && starting_slots_used(clock) >= max_starting;
  if (verdict.delay > Duration::zero() || wait) {
    // pado-delay: the PADO waits; the client takes the first AC that answers.
    auto& queue = wait ? waiting_ : delayed_;
    if (queue.size() >= kMaxDelayed) {
      drops_.count(wait ? Drop::kMaxStarting : Drop::kPadoSuppressed);
      return;
    }
    if (wait) drops_.count(Drop::kMaxStarting);  // held back, counted once
    std::vector<std::uint8_t> frame(1600);
    std::size_t n = encode_reply(frame, eth, Code::kPado, 0, offer);
    if (n == 0) return;
    frame.resize(n);
    // In due order: the delay follows the load, which may fall between two PADIs.
    TimePoint due = clock + (wait ? seconds(3) : verdict.delay);
    auto at = queue.end();
    while (at != queue.begin() && std::prev(at)->due > due) --at;
    queue.insert(at, {due, std::move(frame)});
    return;
  }
  reply(eth, Code::kPado, 0, offer);
  ++counters_.pado_tx;
  if (max_starting != 0) released_.push_back(clock);
}

void Discovery::flush_delayed(TimePoint now) {
  auto send = [&](const std::vector<std::uint8_t>& f) {
    MutableBytes buf = socket_.tx_buffer();
    if (buf.size() < f.size()) return;
    std::copy(f.begin(), f.end(), buf.begin());
    socket_.commit(f.size());
    ++counters_.pado_tx;
  };
  while (!delayed_.empty() && delayed_.front().due <= now) {
    send(delayed_.front().frame);
    delayed_.pop_front();
  }
  while (!waiting_.empty() && waiting_.front().due <= now) waiting_.pop_front();  // stale
  // One PADO per free negotiation slot (a PADO leads to at most one PADR, hence one session).
  std::size_t max = config_.limits.max_starting;
  std::size_t busy = starting_slots_used(now);
  std::size_t room = max == 0 ? waiting_.size() : (busy < max ? max - busy : 0);
  for (; room > 0 && !waiting_.empty(); --room) {
    send(waiting_.front().frame);
    waiting_.pop_front();
    released_.push_back(now);
  }
}

std::size_t Discovery::starting_slots_used(TimePoint now) {
  // max-starting: sessions negotiating, plus PADOs sent in the last 500 ms whose PADR may
  // still come, fill the slots.
  while (!released_.empty() && now - released_.front() > milliseconds(500)) released_.pop_front();
  return sessions_.starting_count() + released_.size();
}

std::optional<TimePoint> Discovery::next_due() const {
  std::optional<TimePoint> due;
  if (!delayed_.empty()) due = delayed_.front().due;
  if (!waiting_.empty()) {
    TimePoint poll = Clock::now() + milliseconds(10);
    if (!due || poll < *due) due = poll;
  }
  return due;
}

void Discovery::on_padr(const ether::Header& eth, const pppoe_proto::Packet& pkt, const Tags& tags,
                        std::int64_t now) {
  ++counters_.padr_rx;
  if (eth.dst != socket_.mac() || pkt.header.session_id != 0) {
    drop(Drop::kDiscoveryNotForUs, eth);
    return;
  }
  // Section 5.2: the cookie proves this client got our PADO; without it, no state is created.
  if (!tags.ac_cookie || !cookie_.verify(Bytes(*tags.ac_cookie), eth.src, eth.vlans, now)) {
    drop(Drop::kBadCookie, eth);
    return;
  }
  Tags answer;
  answer.host_uniq = tags.host_uniq;
  answer.relay_session_id = tags.relay_session_id;
  answer.ac_name = config_.ac_name;
  std::string service = tags.service_name.value_or("");
  answer.service_name = service;
  // Section 5.4: a Service-Name we do not like gets a PADS with Service-Name-Error.
  if (!tags.service_name || !serves(service)) {
    answer.service_name_error = "Service not offered";
    reply(eth, Code::kPads, 0, answer);
    ++counters_.service_name_errors;
    refused(eth, fmt::format("Service-Name '{}' not offered here (PADS with Service-Name-Error)", printable_text(as_bytes(service), 64)));
    return;
  }
  answer.ppp_max_payload = agreed_max_payload(tags);
  Bytes host_uniq = tags.host_uniq ? Bytes(*tags.host_uniq) : Bytes{};
  if (auto existing = sessions_.find_pending(eth.src, eth.vlans, host_uniq)) {
    // Our PADS was lost: the same session again, not a second one.
    reply(eth, Code::kPads, *existing, answer);
    ++counters_.pads_tx;
    ++counters_.pads_repeated;
    return;
  }
  if (auto refused = guard_.on_padr(sessions_.starting_count(), sessions_.sessions_of(eth.src))) {
    // No PADS: the client retries its PADR, by which time others may have come up.
    drops_.count(*refused);
    log::warn_limited(refusal_log_, "discovery: PADR from {} not answered: {}", eth.src.to_string(),
                      dataplane::to_string(*refused));
    this->refused(eth, fmt::format("PADR not answered: limit {}", dataplane::to_string(*refused)));
    return;
  }
  NewSession ns;
  ns.client_mac = eth.src;
  ns.vlans = eth.vlans;
  if (tags.host_uniq) ns.host_uniq = *tags.host_uniq;
  ns.service_name = service;
  ns.max_payload = answer.ppp_max_payload.value_or(0);
  ns.circuit_id = tags.circuit_id;
  ns.remote_id = tags.remote_id;
  auto created = sessions_.create(ns);
  if (!created) {
    // Section 5.4: AC-System-Error when out of resources.
    switch (created.error()) {
      case Refusal::kMaxSessions: answer.ac_system_error = "Session limit reached"; break;
      case Refusal::kNoSessionId: answer.ac_system_error = "No session ID available"; break;
      case Refusal::kNoWorker: answer.ac_system_error = "No worker accepting sessions"; break;
    }
    drops_.count(Drop::kMaxSessions);
    reply(eth, Code::kPads, 0, answer);
    ++counters_.ac_system_errors;
    refused(eth, fmt::format("{} (PADS with AC-System-Error)", *answer.ac_system_error));
    return;
  }
  reply(eth, Code::kPads, *created, answer);
  ++counters_.pads_tx;
  // The PADS must be on the wire before the worker's first LCP Configure-Request, which it
  // sends from its own socket as soon as it hears of the session: a client drops LCP for a
  // session it does not know yet, and the AC would then wait a whole restart timer (3 s).
  socket_.flush();
  sessions_.start(*created);
}

void Discovery::on_padt(const ether::Header& eth, const pppoe_proto::Packet& pkt) {
  ++counters_.padt_rx;
  if (eth.dst != socket_.mac()) {
    drop(Drop::kDiscoveryNotForUs, eth);
    return;
  }
  // Only the session's own client may end it (a spoofed PADT from another MAC is ignored).
  if (!sessions_.has_session(pkt.header.session_id))
    drops_.count(Drop::kPadtUnknownSession);
  else if (!sessions_.peer_terminated(pkt.header.session_id, eth.src))
    drops_.count(Drop::kPadtSpoofed);
}

}  // namespace pppoe::master
