// The distributed transfer test of handbook 30.6.11.10. The server (-m server) runs on the
// network side of the access concentrator with an ordinary UDP socket; the client (-m client)
// sends numbered blocks through real PPPoE sessions (UDP from each session's address), round
// robin over the sessions. Every block carries a digest of its payload; the server checks it
// and acknowledges with its own digest. At the end both sides compare an aggregate digest over
// all blocks in order: MATCH only if every block arrived intact. Lost or corrupted blocks are
// reported, never retried.
//
// Datagram: "PTT1" | type u8 | run id u32 | type-specific fields (transfer.cpp)
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loadtest/render.hpp"
#include "common/bytes.hpp"

namespace pppoe::loadtest::transfer {

enum class Type : std::uint8_t { kHello = 1, kWelcome, kBlock, kAck, kDone, kResult };
using Digest = std::array<std::uint8_t, 8>;

struct Message {
  Type type = Type::kHello;
  std::uint32_t run_id = 0;
  std::uint32_t a = 0, b = 0, c = 0;  ///< HELLO: blocks; BLOCK/ACK: seq, (ACK) ok; DONE: sent; RESULT: received, ok, bad
  Digest digest{};                    ///< BLOCK/ACK: of the payload; DONE/RESULT: aggregate
  Bytes payload;                      ///< BLOCK only
};

std::size_t encode(MutableBytes out, const Message& m);
std::optional<Message> decode(Bytes datagram);

Digest digest(Bytes payload);
/// The deterministic content of block `seq` of run `run_id`.
void fill_block(MutableBytes payload, std::uint32_t run_id, std::uint32_t seq);
/// SHA-256 over the block digests in sequence order; a missing block makes it differ.
Digest aggregate(const std::vector<std::optional<Digest>>& by_seq);

struct Side {
  std::uint32_t blocks = 0;  ///< sent (client) or received (server)
  std::uint32_t ok = 0;      ///< acknowledged intact (client) or verified (server)
  std::uint32_t bad = 0;     ///< corrupted
  std::uint32_t lost = 0;    ///< never acknowledged (client) / never received (server)
};

/// The two boxes, the verdict and its explanation, as the handbook shows them.
std::string render_result(const Side& client, const Side& server, bool match, Format f, const Style& st);

/// -m server: serves transfer runs on UDP `port` (bound to `interface` if it exists) until
/// interrupted, or after `count` runs (0 = forever). Returns the exit code.
int run_server(const std::string& interface, std::uint16_t port, unsigned count, Format f, const Style& st);

}  // namespace pppoe::loadtest::transfer
