#include "dataplane/routed_port.hpp"

#include <net/if.h>

#include "dataplane/net_interface.hpp"
#include "dataplane/packet_socket.hpp"
#include "dataplane/tun_batch_reader.hpp"
#include "dataplane/tun_batch_writer.hpp"
#include "dataplane/tun_device.hpp"
#include "proto/ether.hpp"

namespace pppoe::dataplane {
namespace {

class TunPort final : public RoutedPort {
 public:
  TunPort(TunDevice tun, bool io_uring)
      : tun_(std::move(tun)), reader_(tun_.fd(), io_uring), writer_(tun_.fd(), io_uring) {}
  int fd() const override { return reader_.fd(); }
  std::size_t receive(const std::function<void(Bytes)>& on_packet, std::size_t limit) override {
    return reader_.receive(on_packet, limit);
  }
  bool write(Bytes packet) override { return writer_.write(packet); }
  std::size_t flush() override { return writer_.flush(); }

 private:
  TunDevice tun_;
  TunBatchReader reader_;
  TunBatchWriter writer_;
};

// Frames on the veth peer are Ethernet: the kernel sends them to pppoe0's own MAC (pppoe0 has
// IFF_NOARP), and takes ours when addressed to it.
class VethPeerPort final : public RoutedPort {
 public:
  VethPeerPort(PacketSocket socket, MacAddress routed_mac) : socket_(std::move(socket)), routed_mac_(routed_mac) {}
  int fd() const override { return socket_.fd(); }
  std::size_t receive(const std::function<void(Bytes)>& on_packet, std::size_t limit) override {
    std::size_t delivered = 0;
    while (delivered < limit) {
      std::size_t got = socket_.receive_batch([&](Bytes frame) {
        auto f = ether::decode(frame);
        if (!f || f->header.vlans.count != 0 || f->payload.empty()) return;
        const auto type = static_cast<ether::EtherType>(f->header.ether_type);
        if (type != ether::EtherType::kIpv4 && type != ether::EtherType::kIpv6) return;  // the kernel sends nothing else here
        ++delivered;
        on_packet(f->payload);
      });
      if (got < PacketSocket::kBatch) break;
    }
    return delivered;
  }
  bool write(Bytes packet) override {
    if (packet.empty()) return false;
    const auto type = (packet[0] >> 4) == 6 ? ether::EtherType::kIpv6 : ether::EtherType::kIpv4;
    ByteWriter w(socket_.tx_buffer());
    ether::encode({routed_mac_, socket_.mac(), {}, static_cast<std::uint16_t>(type)}, w);
    w.bytes(packet);
    if (w.overflow()) return false;  // larger than a frame: nothing committed
    socket_.commit(w.size());
    return true;
  }
  std::size_t flush() override {
    const std::uint64_t errors = socket_.counters().tx_errors;
    socket_.flush();
    return static_cast<std::size_t>(socket_.counters().tx_errors - errors);
  }

 private:
  PacketSocket socket_;
  MacAddress routed_mac_;
};

}  // namespace

std::expected<std::unique_ptr<RoutedPort>, std::string> RoutedPort::open_tun(const std::string& name, bool io_uring) {
  auto tun = TunDevice::open(name);
  if (!tun) return std::unexpected(tun.error());
  return std::make_unique<TunPort>(std::move(*tun), io_uring);
}

std::expected<std::unique_ptr<RoutedPort>, std::string> RoutedPort::open_veth_peer(const std::string& routed,
                                                                                   const std::string& peer) {
  auto routed_mac = NetInterface(routed).mac();
  if (!routed_mac) return std::unexpected(routed_mac.error());
  PacketSocketOptions options;
  // The group's ID: the peer's index, the same in every worker of this pppoed (and of the next
  // one, which takes the pair over).
  options.fanout_group = static_cast<std::uint16_t>(::if_nametoindex(peer.c_str()) & 0xffff);
  auto socket = PacketSocket::open(peer, options);
  if (!socket) return std::unexpected(socket.error());
  return std::make_unique<VethPeerPort>(std::move(*socket), *routed_mac);
}

}  // namespace pppoe::dataplane
