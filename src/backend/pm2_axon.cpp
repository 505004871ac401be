#include "backend/pm2_axon.hpp"

#include <cstdint>

#include <nlohmann/json.hpp>

namespace pm {
namespace {

void append_argument(std::string& out, std::string_view argument) {
  const auto length = static_cast<std::uint32_t>(argument.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xff));
  out.append(argument);
}

}  // namespace

std::string encode_axon_call(std::string_view method, std::string_view args_json, std::string_view id) {
  // The method name is JSON-escaped; args_json is already JSON.
  const std::string call = "j:{\"type\":\"call\",\"method\":" + nlohmann::json(std::string(method)).dump() +
                           ",\"args\":" + std::string(args_json) + "}";
  std::string out(1, static_cast<char>(kAxonVersion << 4 | 2));
  append_argument(out, call);
  append_argument(out, "s:" + std::string(id));
  return out;
}

std::string rpc_failure_text(std::string_view reply_argument) {
  if (reply_argument.starts_with("j:")) {
    auto reply = nlohmann::json::parse(reply_argument.substr(2), nullptr, /*allow_exceptions=*/false);
    if (reply.is_object() && reply.contains("error")) {
      const auto& error = reply["error"];
      return "the PM2 daemon answered an error: " +
             (error.is_string() ? error.get<std::string>() : error.dump());
    }
  }
  return "unexpected answer from the PM2 daemon (not an RPC reply)";
}

}  // namespace pm
