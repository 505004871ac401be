#include "backend/pm2_axon.hpp"

#include <cstdint>

#include <nlohmann/json.hpp>

namespace pm {
namespace {

constexpr unsigned kAmpVersion = 1;

void append_argument(std::string& out, std::string_view argument) {
  const auto length = static_cast<std::uint32_t>(argument.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xff));
  out.append(argument);
}

std::uint32_t read_length(std::string_view bytes) {
  std::uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length = (length << 8) | static_cast<unsigned char>(bytes[i]);
  return length;
}

}  // namespace

std::string encode_axon_call(std::string_view method, std::string_view args_json, std::string_view id) {
  // The method name is JSON-escaped; args_json is already JSON.
  const std::string call = "j:{\"type\":\"call\",\"method\":" + nlohmann::json(std::string(method)).dump() +
                           ",\"args\":" + std::string(args_json) + "}";
  std::string out(1, static_cast<char>(kAmpVersion << 4 | 2));
  append_argument(out, call);
  append_argument(out, "s:" + std::string(id));
  return out;
}

std::expected<std::optional<std::vector<std::string_view>>, std::string> decode_axon_message(
    std::string_view buffer, std::size_t max_size) {
  if (buffer.empty()) return std::nullopt;
  const auto meta = static_cast<unsigned char>(buffer[0]);
  if (meta >> 4 != kAmpVersion) return std::unexpected("not an axon message (unknown AMP version)");
  const std::size_t count = meta & 0xf;
  std::vector<std::string_view> arguments;
  std::size_t offset = 1;
  for (std::size_t i = 0; i < count; ++i) {
    if (buffer.size() < offset + 4) return std::nullopt;
    const std::size_t length = read_length(buffer.substr(offset, 4));
    offset += 4;
    if (offset + length > max_size) return std::unexpected("the answer is larger than the limit");
    if (buffer.size() < offset + length) return std::nullopt;
    arguments.push_back(buffer.substr(offset, length));
    offset += length;
  }
  return arguments;
}

std::size_t axon_known_size(std::string_view buffer) {
  if (buffer.empty()) return 0;
  const std::size_t count = static_cast<unsigned char>(buffer[0]) & 0xf;
  std::size_t offset = 1;
  for (std::size_t i = 0; i < count && buffer.size() >= offset + 4; ++i) {
    offset += 4 + read_length(buffer.substr(offset, 4));
  }
  return offset;
}

std::expected<std::string_view, std::string> single_rpc_result(std::string_view reply_argument) {
  // pm2-axon-rpc replies JSON.stringify({args: [...]}): no white space, and
  // "args" first. The result is cut out as text: it may be megabytes of
  // JSON that its own parser reads next anyway.
  constexpr std::string_view prefix = "j:{\"args\":[";
  constexpr std::string_view suffix = "]}";
  if (reply_argument.starts_with(prefix) && reply_argument.ends_with(suffix) &&
      reply_argument.size() >= prefix.size() + suffix.size()) {
    return reply_argument.substr(prefix.size(), reply_argument.size() - prefix.size() - suffix.size());
  }
  if (reply_argument.starts_with("j:")) {
    auto reply = nlohmann::json::parse(reply_argument.substr(2), nullptr, /*allow_exceptions=*/false);
    if (reply.is_object() && reply.contains("error")) {
      const auto& error = reply["error"];
      return std::unexpected("the PM2 daemon answered an error: " +
                             (error.is_string() ? error.get<std::string>() : error.dump()));
    }
  }
  return std::unexpected("unexpected answer from the PM2 daemon (not an RPC reply)");
}

}  // namespace pm
