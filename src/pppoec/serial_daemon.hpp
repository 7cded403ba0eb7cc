// pppoec on a serial line or pty (`set device /dev/ttyS0`), and `-direct`: PPP on standard
// input and output, the line getty or mgetty's AutoPPP hands over (handbook 30.2.5), where
// pppoec is the dial-in **server**: it authenticates with ppp.secret and hands out an address
// of `set ifaddr LOCAL FIRST-LAST`.
//
//   line bytes --RFC 1662 deframer--> PPP frames --> LCP/auth/IPCP, or IP into the TUN
//   TUN packets --> PPP frames --RFC 1662 framer (negotiated ACCM, ACFC, PFC)--> line
//
// The client side runs `set dial` and `set login` (chat.hpp) before LCP. A lost line (hang-up,
// the other end of a pty closed) ends the session; -ddial opens the device and dials again
// after `set reconnect` seconds, the other modes exit.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/tun_batch_reader.hpp"
#include "dataplane/tun_batch_writer.hpp"
#include "dataplane/tun_device.hpp"
#include "pppoec/daemon.hpp"
#include "pppoec/link_interface.hpp"
#include "proto/ppp/hdlc.hpp"
#include "session/ppp_link.hpp"
#include "session/secrets.hpp"

namespace pppoe::pppoec {

class SerialDaemon final : public session::LinkOutput, public session::Authenticator, public session::AddressAssigner {
 public:
  /// `direct`: the line is standard input/output and we are the server.
  static std::expected<std::unique_ptr<SerialDaemon>, std::string> create(Profile profile, DaemonOptions options,
                                                                         bool direct);
  ~SerialDaemon() override;
  int run();

 private:
  SerialDaemon(Profile profile, DaemonOptions options, bool direct, dataplane::TunDevice tun);

  // session::LinkOutput
  void send_ppp(ppp::Protocol protocol, Bytes payload) override;
  void network_up() override;
  void ipv6_up() override;
  void link_dead(session::EndReason reason) override;
  // session::Authenticator (server side: ppp.secret answers at once)
  void authenticate(const session::AuthRequest& request, TimePoint now) override;
  // session::AddressAssigner (server side: the range of `set ifaddr`)
  std::optional<Ipv4Address> assign(std::optional<Ipv4Address> fixed, std::string_view pool) override;

  std::expected<void, std::string> open_line();
  void close_line();
  void start_link();
  void feed_line(Bytes data);
  void on_frame(std::uint16_t protocol, Bytes information);
  void on_tun_packet(Bytes packet);
  void flush_line();
  std::uint16_t mtu() const;

  Profile profile_;
  DaemonOptions options_;
  bool direct_;
  dataplane::TunDevice tun_;
  std::unique_ptr<dataplane::TunBatchReader> tun_reader_;
  std::unique_ptr<dataplane::TunBatchWriter> tun_writer_;
  std::unique_ptr<LinkInterface> iface_;
  std::optional<session::LocalSecrets> secrets_;
  int in_fd_ = -1, out_fd_ = -1;
  ppp::hdlc::Deframer deframer_;
  std::vector<std::uint8_t> out_;  ///< framed bytes the line has not taken yet
  std::unique_ptr<session::PppLink> link_;
  bool up_ = false;
  bool link_ended_ = false;
  bool exit_requested_ = false;
  int exit_code_ = 0;
  TimePoint now_{};
  std::uint64_t dropped_output_ = 0;  ///< frames dropped because the line was backed up
};

}  // namespace pppoe::pppoec
