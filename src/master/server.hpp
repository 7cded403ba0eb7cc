// The pppoed process for one interface: packet socket, TUN, discovery, the worker, the control
// socket and one event loop (epoll). Discovery and session handling stay separate objects so
// that the multi-worker issue can move the worker into its own processes.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "ctl/control_socket.hpp"
#include "dataplane/packet_socket.hpp"
#include "dataplane/session_table.hpp"
#include "dataplane/tun_device.hpp"
#include "master/config.hpp"
#include "master/discovery.hpp"
#include "session/secrets.hpp"
#include "worker/worker.hpp"

namespace pppoe::master {

class Server {
 public:
  static std::expected<std::unique_ptr<Server>, std::string> create(Config config, session::LocalSecrets secrets);
  ~Server();

  /// Runs until SIGINT/SIGTERM; returns the process exit code.
  int run();

 private:
  Server(Config config, session::LocalSecrets secrets, dataplane::PacketSocket socket, dataplane::TunDevice tun,
         ctl::ControlServer control);
  void on_packets(TimePoint now);
  void on_tun(TimePoint now);
  ctl::Json handle(const ctl::Json& request);

  Config config_;
  session::LocalSecrets secrets_;
  dataplane::PacketSocket socket_;
  dataplane::TunDevice tun_;
  ctl::ControlServer control_;
  dataplane::SessionTable table_;
  worker::Worker worker_;
  Discovery discovery_;
  std::int64_t started_unix_ = 0;
  std::uint64_t tun_read_syscalls_ = 0;
};

}  // namespace pppoe::master
