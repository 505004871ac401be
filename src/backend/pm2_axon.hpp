#pragma once
// PM2's wire format on its RPC socket (PM2_HOME/rpc.sock): axon's AMP
// messages, as pm2-axon 4 and pm2-axon-rpc speak them (PM2 6.0.8; the same
// since PM2 1.x). A message is one byte (protocol version 1 << 4 | argument
// count, at most 15), then per argument a 32-bit big-endian length and its
// bytes. Arguments are tagged: "s:" a string, "j:" JSON. A call is
//   [j:{"type":"call","method":M,"args":[...]}, s:ID]
// and its reply [j:{"args":[RESULT...]}, s:ID] or [j:{"error":"..."}, s:ID].
// Pure functions: the socket is pm2_rpc's business.
#include <cstddef>
#include <string>
#include <string_view>

namespace pm {

// The high nibble of a message's first byte; the low one counts its arguments.
inline constexpr unsigned kAxonVersion = 1;
// A reply's first argument is j:{"args":[RESULT]} (JSON.stringify: no white
// space, "args" first); RESULT lies between these two.
inline constexpr std::string_view kRpcResultPrefix = "j:{\"args\":[";
inline constexpr std::string_view kRpcResultSuffix = "]}";

// The call message of `method` with `args_json` (a JSON array) and the request id `id`.
std::string encode_axon_call(std::string_view method, std::string_view args_json, std::string_view id);

// Why a reply argument that is not j:{"args":[...]} carries no result: the
// error the daemon answered ({"error": ...}), or that it is no RPC reply.
// (A result is never cut out of a whole argument: pm2_rpc streams it.)
std::string rpc_failure_text(std::string_view reply_argument);

}  // namespace pm
