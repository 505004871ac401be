#include "state/state_document.hpp"

#include <fmt/format.h>

namespace pm {
namespace {

std::unexpected<StateDecodeError> not_a_state(std::string reason) {
  return std::unexpected(StateDecodeError{.newer_format = false, .format = 0, .reason = std::move(reason)});
}

// nlohmann's parser callback that hands each service to a sink as soon as
// its object is read whole, and drops it from the tree being built. Depths
// are the callback's: 1 a key of the root, 2 a service's name and its
// payload (closed by object_end, array_end or a scalar's value event).
class ServiceHandOff {
 public:
  explicit ServiceHandOff(ServiceSink& sink) : sink_(sink) {}

  bool operator()(int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::key && depth == 1) root_key_ = parsed.get<std::string>();
    if (depth == 1 && event == Event::object_start) {
      in_services_ = root_key_ == "services";
      // A repeated "services": a whole parse keeps only the later one.
      if (in_services_ && taken_ > 0) {
        sink_.drop_all();
        taken_ = 0;
      }
    }
    if (depth == 1 && event == Event::object_end) in_services_ = false;
    if (!in_services_ || depth != 2) return true;
    if (event == Event::key) {
      name_ = parsed.get<std::string>();
      return true;
    }
    // A payload that is not an object stays in the tree, where read_root
    // finds it as it finds it in a whole parse. So does a repeated name: the
    // tree keeps the later value, as a whole parse does.
    if (event != Event::object_end) return true;
    sink_.take(name_, std::move(parsed));
    ++taken_;
    return false;
  }
  std::size_t taken() const { return taken_; }

 private:
  ServiceSink& sink_;
  std::string root_key_;
  bool in_services_ = false;
  std::string name_;
  std::size_t taken_ = 0;
};

// The document `root` holds (its services' objects less those a sink took).
std::expected<StateDocument, StateDecodeError> read_root(nlohmann::json& root, std::string_view text) {
  if (root.is_discarded()) {
    return not_a_state(text.empty() ? "the file is empty" : "not JSON (truncated or garbage)");
  }
  if (!root.is_object()) return not_a_state("not a JSON object");
  // The format is judged first and alone: a newer format may have changed
  // every other field, and must be recognised as newer, never as corrupt.
  auto format = root.find("format");
  if (format == root.end() || !format->is_number_integer()) {
    return not_a_state("no integer 'format' field");
  }
  const std::int64_t number = format->get<std::int64_t>();
  if (number > kStateFormat) {
    return std::unexpected(StateDecodeError{.newer_format = true, .format = number, .reason = {}});
  }
  if (number < 1) return not_a_state(fmt::format("unknown format {}", number));

  StateDocument document;
  auto written_at = root.find("written_at");
  if (written_at == root.end() || !written_at->is_number_integer()) {
    return not_a_state("no integer 'written_at' field");
  }
  document.written_at = written_at->get<std::int64_t>();
  auto services = root.find("services");
  if (services == root.end() || !services->is_object()) return not_a_state("'services' is not an object");
  for (auto& [name, payload] : services->items()) {
    if (!payload.is_object()) return not_a_state(fmt::format("service '{}' is not an object", name));
    document.services.emplace(name, std::move(payload));
  }
  if (auto rotation = root.find("rotation"); rotation != root.end()) {
    if (!rotation->is_object()) return not_a_state("'rotation' is not an object");
    document.rotation = std::move(*rotation);
  }
  if (auto resources = root.find("resources"); resources != root.end()) {
    if (!resources->is_object()) return not_a_state("'resources' is not an object");
    document.resources = std::move(*resources);
  }
  return document;
}

}  // namespace

std::expected<StateDocument, StateDecodeError> decode_state(std::string_view text) {
  nlohmann::json root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return read_root(root, text);
}

std::expected<StateDocument, StateDecodeError> decode_state(std::string_view text, ServiceSink& sink) {
  ServiceHandOff hand_off(sink);
  nlohmann::json root = nlohmann::json::parse(text, std::ref(hand_off), /*allow_exceptions=*/false);
  auto document = read_root(root, text);
  if (!document && hand_off.taken() > 0) sink.drop_all();
  return document;
}

namespace {

constexpr auto kReplaceInvalidUtf8 = nlohmann::json::error_handler_t::replace;
constexpr std::size_t kPieceBytes = 64 * 1024;

// `value` as dump(2) writes it `depth` levels down: its inner lines indented
// by 2 * depth more (JSON strings hold no raw newline).
void append_nested(std::string& out, const nlohmann::json& value, int depth) {
  const std::string text = value.dump(2, ' ', false, kReplaceInvalidUtf8);
  const std::size_t indent = 2 * static_cast<std::size_t>(depth);
  // Line by line, not character by character (a third of a save's instructions).
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t newline = text.find('\n', start);
    if (newline == std::string::npos) {
      out.append(text, start);
      break;
    }
    out.append(text, start, newline + 1 - start);
    out.append(indent, ' ');
    start = newline + 1;
  }
}

// Collects the text and hands it to the sink in pieces of about kPieceBytes.
class PieceWriter {
 public:
  explicit PieceWriter(const TextSink& sink) : sink_(sink) { text_.reserve(kPieceBytes + kPieceBytes / 4); }
  std::string& text() { return text_; }
  // Passes the text on once a piece is full (always when `last`).
  bool flush(bool last = false) {
    if (text_.empty() || (!last && text_.size() < kPieceBytes)) return true;
    const bool taken = sink_(text_);
    text_.clear();
    return taken;
  }

 private:
  const TextSink& sink_;
  std::string text_;
};

}  // namespace

bool DocumentSource::each_service(const ServiceVisitor& visit) const {
  for (const auto& [name, payload] : document_.services) {
    if (!visit(name, payload)) return false;
  }
  return true;
}

bool write_state(const StateSource& source, std::int64_t written_at, const TextSink& sink) {
  // The text of the whole document's dump(2), keys sorted as nlohmann sorts
  // them (format, resources, rotation, services, written_at), written part
  // by part. Indented for the admin who opens it; invalid UTF-8 is replaced
  // rather than throwing halfway through a save.
  PieceWriter writer(sink);
  std::string& out = writer.text();
  out += fmt::format("{{\n  \"format\": {},\n", kStateFormat);
  if (!source.resources().empty()) {
    out += "  \"resources\": ";
    append_nested(out, source.resources(), 1);
    out += ",\n";
  }
  if (!source.rotation().empty()) {
    out += "  \"rotation\": ";
    append_nested(out, source.rotation(), 1);
    out += ",\n";
  }
  out += "  \"services\": {";
  bool first = true;
  const bool written = source.each_service([&](const std::string& name, const nlohmann::json& payload) {
    out += first ? "\n    " : ",\n    ";
    out += nlohmann::json(name).dump(-1, ' ', false, kReplaceInvalidUtf8);
    out += ": ";
    append_nested(out, payload, 2);
    first = false;
    return writer.flush();
  });
  if (!written) return false;
  out += first ? "}" : "\n  }";
  out += fmt::format(",\n  \"written_at\": {}\n}}\n", written_at);
  return writer.flush(/*last=*/true);
}

std::string encode_state(const StateDocument& document, std::int64_t written_at) {
  std::string text;
  write_state(DocumentSource(document), written_at, [&text](std::string_view piece) {
    text += piece;
    return true;
  });
  return text;
}

namespace {

// Stops at the top-level "format" value: encode_state() writes it first
// (object keys are sorted), so a save reads a few bytes of a large file.
class FormatPeek : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::optional<std::int64_t> format;

  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t value) override { return found(value); }
  bool number_unsigned(number_unsigned_t value) override {
    return value <= static_cast<number_unsigned_t>(INT64_MAX) ? found(static_cast<std::int64_t>(value))
                                                              : scalar();
  }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool string(string_t&) override { return scalar(); }
  bool binary(binary_t&) override { return scalar(); }
  bool start_object(std::size_t) override { return enter(); }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool key(string_t& name) override {
    at_format_ = depth_ == 1 && name == "format";
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool found(std::int64_t value) {
    if (!at_format_ || depth_ != 1) return scalar();
    format = value;
    return false;  // done: stop parsing
  }
  bool scalar() {
    at_format_ = false;
    return true;
  }
  bool enter() {
    ++depth_;
    at_format_ = false;
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  int depth_ = 0;
  bool at_format_ = false;
};

}  // namespace

std::optional<std::int64_t> peek_state_format(std::string_view text) {
  FormatPeek peek;
  nlohmann::json::sax_parse(text, &peek);
  return peek.format;
}

std::optional<std::int64_t> peek_state_format(std::istream& text) {
  FormatPeek peek;
  nlohmann::json::sax_parse(text, &peek);
  return peek.format;
}

}  // namespace pm
