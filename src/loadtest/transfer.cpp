#include "loadtest/transfer.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

namespace pppoe::loadtest::transfer {
namespace {
constexpr std::uint32_t kMagic = 0x50545431;  // "PTT1"
volatile std::sig_atomic_t g_stop = 0;

Digest sha_prefix(std::initializer_list<Bytes> parts) {
  std::array<std::uint8_t, 32> full{};
  unsigned len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (Bytes p : parts) EVP_DigestUpdate(ctx, p.data(), p.size());
  EVP_DigestFinal_ex(ctx, full.data(), &len);
  EVP_MD_CTX_free(ctx);
  Digest d{};
  std::copy_n(full.begin(), d.size(), d.begin());
  return d;
}
}  // namespace

std::size_t encode(MutableBytes out, const Message& m) {
  ByteWriter w(out);
  w.u32(kMagic);
  w.u8(static_cast<std::uint8_t>(m.type));
  w.u32(m.run_id);
  w.u32(m.a);
  w.u32(m.b);
  w.u32(m.c);
  w.bytes(Bytes(m.digest));
  w.bytes(m.payload);
  return w.overflow() ? 0 : w.size();
}

std::optional<Message> decode(Bytes datagram) {
  ByteReader r(datagram);
  auto magic = r.u32();
  auto type = r.u8();
  auto run = r.u32();
  auto a = r.u32();
  auto b = r.u32();
  auto c = r.u32();
  auto d = r.bytes(8);
  if (!magic || *magic != kMagic || !type || *type < 1 || *type > 6 || !run || !a || !b || !c || !d) return std::nullopt;
  Message m;
  m.type = static_cast<Type>(*type);
  m.run_id = *run;
  m.a = *a;
  m.b = *b;
  m.c = *c;
  std::copy(d->begin(), d->end(), m.digest.begin());
  m.payload = r.rest();
  return m;
}

Digest digest(Bytes payload) { return sha_prefix({payload}); }

void fill_block(MutableBytes payload, std::uint32_t run_id, std::uint32_t seq) {
  std::uint32_t x = run_id * 2654435761u ^ seq * 40503u ^ 0x9e3779b9u;
  for (auto& byte : payload) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    byte = static_cast<std::uint8_t>(x);
  }
}

Digest aggregate(const std::vector<std::optional<Digest>>& by_seq) {
  std::vector<std::uint8_t> all;
  all.reserve(by_seq.size() * 9);
  for (const auto& d : by_seq) {
    all.push_back(d ? 1 : 0);
    if (d) all.insert(all.end(), d->begin(), d->end());
  }
  return sha_prefix({Bytes(all)});
}

std::string render_result(const Side& client, const Side& server, bool match, Format f, const Style& st) {
  bool passed = match && client.lost == 0 && client.bad == 0 && server.bad == 0;
  switch (f) {
    case Format::kJson:
    case Format::kJsonl: {
      nlohmann::json j{{"type", "transfer_result"},
                       {"client", {{"blocks", client.blocks}, {"ok", client.ok}, {"bad", client.bad}, {"lost", client.lost}}},
                       {"server", {{"blocks", server.blocks}, {"ok", server.ok}, {"bad", server.bad}, {"lost", server.lost}}},
                       {"verification", match ? "MATCH" : "MISMATCH"},
                       {"status", passed ? "pass" : "fail"}};
      return (f == Format::kJson ? j.dump(2) : j.dump()) + "\n";
    }
    case Format::kCsv:
      return fmt::format("side,blocks,ok,bad,lost,verification\nclient,{},{},{},{},{}\nserver,{},{},{},{},{}\n", client.blocks,
                         client.ok, client.bad, client.lost, match ? "MATCH" : "MISMATCH", server.blocks, server.ok,
                         server.bad, server.lost, match ? "MATCH" : "MISMATCH");
    case Format::kTap:
      return fmt::format("1..3\n{} 1 - {} blocks acknowledged intact of {}\n{} 2 - server verified {} of {}\n{} 3 - checksums {}\n",
                         client.ok == client.blocks ? "ok" : "not ok", client.ok, client.blocks,
                         server.bad == 0 && server.ok == client.blocks ? "ok" : "not ok", server.ok, client.blocks,
                         match ? "ok" : "not ok", match ? "match" : "mismatch");
    case Format::kConsole: break;
  }
  auto box = [&](const char* title, const Side& s) {
    std::string checksum = s.bad == 0 && s.lost == 0 ? "OK" : fmt::format("{} BAD", s.bad + s.lost);
    return std::array<std::string, 3>{title, fmt::format("Blocks: {}", s.blocks), fmt::format("Checksum: {}", checksum)};
  };
  auto c = box("CLIENT SIDE", client), s = box("SERVER SIDE", server);
  const char *tl = st.fancy ? "┌" : "+", *tr = st.fancy ? "┐" : "+", *bl = st.fancy ? "└" : "+", *br = st.fancy ? "┘" : "+";
  const char *h = st.fancy ? "─" : "-", *v = st.fancy ? "│" : "|";
  std::string bar;
  for (int i = 0; i < 17; ++i) bar += h;
  std::string out = fmt::format("{}{}{} {}{}{}\n", tl, bar, tr, tl, bar, tr);
  for (std::size_t i = 0; i < 3; ++i) out += fmt::format("{} {:<15} {} {} {:<15} {}\n", v, c[i], v, v, s[i], v);
  out += fmt::format("{}{}{} {}{}{}\n", bl, bar, br, bl, bar, br);
  out += fmt::format("         {}                   {}\n", st.fancy ? "↓" : "v", st.fancy ? "↓" : "v");
  out += fmt::format("     VERIFICATION ({})\n", match ? "MATCH" : "MISMATCH");
  if (passed) {
    out += fmt::format("{} Transfer test PASSED\n- {} blocks transferred\n- Checksums match on both sides\n", st.ok(), client.blocks);
  } else {
    out += fmt::format("{} Transfer test FAILED\n- {} blocks sent, {} acknowledged intact\n", st.fail(), client.blocks, client.ok);
    if (client.lost > 0) out += fmt::format("- {} blocks lost (no acknowledgement)\n", client.lost);
    if (server.bad > 0) out += fmt::format("- {} blocks corrupted (checksum mismatch at the server)\n", server.bad);
    if (!match) out += "- Checksums differ between the two sides\n";
  }
  return out;
}

int run_server(const std::string& interface, std::uint16_t port, unsigned count, Format f, const Style& st) {
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int big = 8 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  if (!interface.empty() && if_nametoindex(interface.c_str()) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(), static_cast<socklen_t>(interface.size()));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    std::fprintf(stderr, "pppoetest: port %u: %s\n", port, std::strerror(errno));
    return 3;
  }
  if (f == Format::kConsole) std::printf("Server listening on port %u\nWaiting for client connections...\n", port);
  std::fflush(stdout);
  struct Run {
    std::vector<std::optional<Digest>> digests;
    Side side;
  };
  std::map<std::uint32_t, Run> runs;
  unsigned finished = 0;
  int status = 0;
  std::array<std::uint8_t, 65536> buf{};
  while (!g_stop && (count == 0 || finished < count)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n <= 0) continue;
    auto m = decode(Bytes(buf.data(), static_cast<std::size_t>(n)));
    if (!m) continue;
    Message reply;
    reply.run_id = m->run_id;
    switch (m->type) {
      case Type::kHello: {
        Run& r = runs[m->run_id];
        r.digests.assign(std::min<std::uint32_t>(m->a, 1u << 20), std::nullopt);
        r.side = Side{};
        reply.type = Type::kWelcome;
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
        if (f == Format::kConsole) std::printf("Client %s: run %08x, %u blocks\n", ip, m->run_id, m->a);
        break;
      }
      case Type::kBlock: {
        auto it = runs.find(m->run_id);
        if (it == runs.end() || m->a >= it->second.digests.size()) continue;
        Digest mine = digest(m->payload);
        bool ok = mine == m->digest;
        if (!it->second.digests[m->a]) {
          ++it->second.side.blocks;
          ++(ok ? it->second.side.ok : it->second.side.bad);
          it->second.digests[m->a] = mine;
        }
        reply.type = Type::kAck;
        reply.a = m->a;
        reply.b = ok ? 1 : 0;
        reply.digest = mine;
        break;
      }
      case Type::kDone: {
        auto it = runs.find(m->run_id);
        if (it == runs.end()) continue;
        Run& r = it->second;
        r.side.lost = static_cast<std::uint32_t>(std::count(r.digests.begin(), r.digests.end(), std::nullopt));
        reply.type = Type::kResult;
        reply.a = r.side.blocks;
        reply.b = r.side.ok;
        reply.c = r.side.bad;
        reply.digest = aggregate(r.digests);
        bool match = reply.digest == m->digest;
        Side client{m->a, m->b, m->c, 0};
        std::fputs(render_result(client, r.side, match, f, st).c_str(), stdout);
        std::fflush(stdout);
        if (!(match && r.side.bad == 0 && r.side.lost == 0)) status = 1;
        ++finished;
        break;
      }
      case Type::kWelcome:
      case Type::kAck:
      case Type::kResult:
        continue;
    }
    std::array<std::uint8_t, 256> out{};
    std::size_t len = encode(out, reply);
    ::sendto(fd, out.data(), len, 0, reinterpret_cast<sockaddr*>(&from), fl);
  }
  ::close(fd);
  return status;
}

}  // namespace pppoe::loadtest::transfer
