#include "l2tp/reliable.hpp"

#include <algorithm>

namespace pppoe::l2tp {

ReliableChannel::ReliableChannel(ReliableOutput& out, ReliableSettings settings)
    : out_(out), settings_(settings), frame_(0xffff) {}

void ReliableChannel::set_peer_window(std::uint16_t window) {
  peer_window_ = std::max<std::uint16_t>(window, 1);
  ssthresh_ = peer_window_;  // appendix A: the slow-start threshold starts at the peer's window
  cwnd_ = std::min<unsigned>(cwnd_, peer_window_);
}

void ReliableChannel::transmit(const Outgoing& m) {
  std::size_t n = encode_control(frame_, peer_tunnel_id_, m.session_id, m.ns, nr_, m.avps);
  if (n > 0) out_.transmit(Bytes(frame_.data(), n));
  ack_due_.reset();  // Nr rode along
}

void ReliableChannel::send(std::uint16_t session_id, Bytes avps, TimePoint now) {
  if (failed_) return;
  waiting_.push_back({0, session_id, std::vector<std::uint8_t>(avps.begin(), avps.end()), {}, {}, 0});
  fill_window(now);
}

void ReliableChannel::fill_window(TimePoint now) {
  std::size_t window = std::min<std::size_t>(cwnd_, peer_window_);
  while (!waiting_.empty() && unacked_.size() < window) {
    Outgoing m = std::move(waiting_.front());
    waiting_.pop_front();
    m.ns = next_ns_++;
    m.timeout = settings_.first_timeout;
    m.deadline = now + m.timeout;
    transmit(m);
    ++counters_.sent;
    unacked_.push_back(std::move(m));
  }
}

void ReliableChannel::acknowledge_up_to(std::uint16_t nr, TimePoint now) {
  // The peer's Nr acknowledges every message of ours with Ns < Nr. An Nr that acknowledges
  // more than we sent is a peer's bug or a forgery: only what is in flight counts.
  bool any = false;
  while (!unacked_.empty() && seq_before(unacked_.front().ns, nr) && !seq_before(next_ns_, nr)) {
    unacked_.pop_front();
    ++counters_.acked;
    any = true;
    if (cwnd_ < ssthresh_) {
      ++cwnd_;  // slow start
    } else if (++acks_in_round_ >= cwnd_) {
      acks_in_round_ = 0;
      ++cwnd_;  // congestion avoidance: one more per window's worth of acks
    }
    cwnd_ = std::min<unsigned>(cwnd_, peer_window_);
  }
  if (any) fill_window(now);  // the window opened
}

void ReliableChannel::send_zlb() {
  std::size_t n = encode_control(frame_, peer_tunnel_id_, 0, next_ns_, nr_, {});
  if (n > 0) out_.transmit(Bytes(frame_.data(), n));
  ++counters_.zlb_sent;
  ack_due_.reset();
}

void ReliableChannel::receive(const Header& h, Bytes avps, TimePoint now, const Deliver& deliver) {
  acknowledge_up_to(h.nr, now);
  if (avps.empty()) {  // a ZLB: only an acknowledgement (section 5.8)
    ++counters_.zlb_received;
    return;
  }
  if (seq_before(h.ns, nr_)) {
    // Already delivered: our acknowledgement was lost. Acknowledge again, now.
    ++counters_.duplicates;
    send_zlb();
    return;
  }
  if (static_cast<std::uint16_t>(h.ns - nr_) >= settings_.receive_window) {
    ++counters_.out_of_window;
    return;
  }
  if (h.ns != nr_) {
    if (held_.emplace(h.ns, std::make_pair(h.session_id, std::vector<std::uint8_t>(avps.begin(), avps.end()))).second)
      ++counters_.reordered;
    if (!ack_due_) ack_due_ = now + settings_.ack_delay;
    return;
  }
  ++nr_;
  ++counters_.delivered;
  if (!ack_due_) ack_due_ = now + settings_.ack_delay;
  deliver(h.session_id, avps);
  // What arrived early follows in order now.
  for (auto it = held_.find(nr_); it != held_.end(); it = held_.find(nr_)) {
    auto [session, body] = std::move(it->second);
    held_.erase(it);
    ++nr_;
    ++counters_.delivered;
    deliver(session, body);
  }
}

void ReliableChannel::tick(TimePoint now) {
  if (failed_) return;
  if (!unacked_.empty() && now >= unacked_.front().deadline) {
    Outgoing& m = unacked_.front();
    if (m.retransmissions >= settings_.max_retransmissions) {
      failed_ = true;
      return;
    }
    ++m.retransmissions;
    ++counters_.retransmitted;
    m.timeout = std::min(m.timeout * 2, settings_.max_timeout);
    m.deadline = now + m.timeout;
    // Appendix A: a loss halves the threshold and restarts slow start.
    ssthresh_ = std::max(cwnd_ / 2, 1u);
    cwnd_ = 1;
    acks_in_round_ = 0;
    transmit(m);
  }
  if (ack_due_ && now >= *ack_due_) send_zlb();
}

std::optional<TimePoint> ReliableChannel::next_deadline() const {
  std::optional<TimePoint> t = ack_due_;
  if (!failed_ && !unacked_.empty() && (!t || unacked_.front().deadline < *t)) t = unacked_.front().deadline;
  return t;
}

}  // namespace pppoe::l2tp
