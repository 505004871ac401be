#include "config/log_keys.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <span>

#include <fmt/format.h>

#include "config/key_reader.hpp"
#include "config/reopen_keys.hpp"
#include "config/text_rules.hpp"
#include "util/size.hpp"

namespace pm {
namespace {

// max_age beyond a year is a typo more likely than a wish.
constexpr Duration kMaxLogAge = std::chrono::hours(24 * 366);
constexpr int kMaxKeep = 1000;

// A group as read, with where the keys that later checks point at were written.
struct LogDraft {
  LogGroupConfig config;
  std::vector<toml::source_region> paths_at;  // one per path
  std::optional<toml::source_region> delay_compress_at, reopen_at, create_at;
};

bool read_path(FieldReader& reader, const toml::node& value, std::string_view key, std::string& out) {
  std::string path;
  if (!reader.read_string(value, key, path)) return false;
  std::string problem = !path.starts_with('/')                           ? "must be an absolute path"
                        : path.ends_with('/')                            ? "must name files, not a directory"
                        : (path + "/").find("/../") != std::string::npos ? "must not contain '..'"
                                                                         : "";
  if (!problem.empty()) {
    reader.fail(value.source(), fmt::format("'{}' {}, got {}", key, problem, quoted(path)));
    return false;
  }
  out = std::move(path);
  return true;
}

void read_size(FieldReader& reader, const toml::node& value, std::string_view key,
               std::optional<std::uint64_t>& out) {
  std::uint64_t size = 0;
  if (reader.read_size(value, key, size)) out = size;
}

// An enum value written as one of `words`; returns its index.
std::optional<std::size_t> read_word(FieldReader& reader, const toml::node& value, std::string_view key,
                                     std::span<const std::string_view> words) {
  std::string text;
  if (!reader.read_string(value, key, text)) return std::nullopt;
  auto found = std::ranges::find(words, text);
  if (found != words.end()) return static_cast<std::size_t>(found - words.begin());
  reader.fail(value.source(), fmt::format("'{}' must be \"{}\" or \"{}\", got {}{}", key, words[0], words[1],
                                          quoted(text), did_you_mean(text, words)));
  return std::nullopt;
}

// A user or group name (as useradd allows), or a numeric id.
void read_account(FieldReader& reader, const toml::node& value, std::string_view key, LogDraft& draft,
                  std::optional<std::string>& out) {
  std::string name;
  if (!reader.read_string(value, key, name)) return;
  bool valid = name.size() <= 32 && name.front() != '-' && std::ranges::all_of(name, [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
               });
  if (!valid) {
    reader.fail(value.source(),
                fmt::format("'{}' must be a user or group name or a number, got {}", key, quoted(name)));
    return;
  }
  out = std::move(name);
  draft.create_at = value.source();
}

constexpr std::array<std::string_view, 2> kMethods{"rename", "copytruncate"};
constexpr std::array<std::string_view, 2> kNamings{"numbered", "date"};

#define PM_BOOL_KEY(key)                                                           \
  {                                                                                \
#key, [](FieldReader & reader, const toml::node& value,                        \
             LogDraft& draft) { reader.read_bool(value, #key, draft.config.key); } \
  }

constexpr std::array<Key<LogDraft>, 16> kLogKeys{{
    {"paths",
     [](FieldReader& reader, const toml::node& value, LogDraft& draft) {
       const auto* array = value.as_array();
       if (array == nullptr || array->empty()) {
         reader.fail(value.source(),
                     fmt::format("'paths' must be a non-empty list like [\"/var/log/app/*.log\"], "
                                 "got {}",
                                 array == nullptr ? toml_type_name(value) : "an empty list"));
         return;
       }
       for (std::size_t i = 0; i < array->size(); ++i) {
         std::string path;
         if (!read_path(reader, *array->get(i), fmt::format("paths[{}]", i), path)) continue;
         draft.config.paths.push_back(std::move(path));
         draft.paths_at.push_back(array->get(i)->source());
       }
     }},
    {"max_size", [](FieldReader& reader, const toml::node& value,
                    LogDraft& draft) { read_size(reader, value, "max_size", draft.config.max_size); }},
    {"max_total", [](FieldReader& reader, const toml::node& value,
                     LogDraft& draft) { read_size(reader, value, "max_total", draft.config.max_total); }},
    {"max_age",
     [](FieldReader& reader, const toml::node& value, LogDraft& draft) {
       Duration age{0};
       if (reader.read_duration(value, "max_age", ZeroDuration::kRejected, age, kMaxLogAge))
         draft.config.max_age = age;
     }},
    {"keep", [](FieldReader& reader, const toml::node& value,
                LogDraft& draft) { reader.read_integer(value, "keep", 0, kMaxKeep, draft.config.keep); }},
    PM_BOOL_KEY(compress),
    {"delay_compress",
     [](FieldReader& reader, const toml::node& value, LogDraft& draft) {
       if (reader.read_bool(value, "delay_compress", draft.config.delay_compress))
         draft.delay_compress_at = value.source();
     }},
    PM_BOOL_KEY(missing_ok),
    PM_BOOL_KEY(not_if_empty),
    PM_BOOL_KEY(allow_unsafe_dir),
    {"naming",
     [](FieldReader& reader, const toml::node& value, LogDraft& draft) {
       if (auto index = read_word(reader, value, "naming", kNamings)) {
         draft.config.naming = *index == 0 ? RotatedNaming::Numbered : RotatedNaming::Dated;
       }
     }},
    {"method",
     [](FieldReader& reader, const toml::node& value, LogDraft& draft) {
       if (auto index = read_word(reader, value, "method", kMethods)) {
         draft.config.method = *index == 0 ? RotateMethod::Rename : RotateMethod::CopyTruncate;
       }
     }},
    {"reopen",
     [](FieldReader& reader, const toml::node& value, LogDraft& draft) {
       draft.reopen_at = value.source();
       const auto* table = reader.read_table(value, "reopen", "a table like { pm2 = \"api\" }");
       if (table != nullptr) draft.config.reopen = read_reopen(reader, *table);
     }},
    {"create_owner",
     [](FieldReader& reader, const toml::node& value, LogDraft& draft) {
       read_account(reader, value, "create_owner", draft, draft.config.create.owner);
     }},
    {"create_group",
     [](FieldReader& reader, const toml::node& value, LogDraft& draft) {
       read_account(reader, value, "create_group", draft, draft.config.create.group);
     }},
    {"create_mode",
     [](FieldReader& reader, const toml::node& value, LogDraft& draft) {
       std::string text;
       if (!reader.read_string(value, "create_mode", text)) return;
       unsigned mode = 0;
       auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
       if (ec != std::errc{} || end != text.data() + text.size() || text.size() > 4 || mode > 0777) {
         reader.fail(value.source(),
                     fmt::format("'create_mode' must be permission bits in octal like \"0640\", "
                                 "got {}",
                                 quoted(text)));
         return;
       }
       draft.config.create.mode = mode;
       draft.create_at = value.source();
     }},
}};
#undef PM_BOOL_KEY

// Rules between the keys of one group. A missing key is not reported when
// an unknown one is: that is most likely the missing key, misspelt.
void check_group(FieldReader& reader, const toml::table& table, const LogDraft& draft) {
  const LogGroupConfig& group = draft.config;
  bool all_known = std::ranges::all_of(table, [](const auto& entry) {
    return std::ranges::find(kLogKeys, entry.first.str(), &Key<LogDraft>::name) != kLogKeys.end();
  });
  if (!all_known) return;
  if (!table.contains("paths")) {
    reader.fail(table.source(), "[[logs]] needs 'paths' (paths = [\"/var/log/app/*.log\"])");
  }
  if (!group.max_size && !group.max_age) {
    reader.fail(table.source(),
                "[[logs]] needs max_size (\"100M\"), max_age (\"7d\") or both: without either it "
                "would never rotate");
  }
  if (group.delay_compress && !group.compress) {
    reader.fail(*draft.delay_compress_at, "'delay_compress' needs compress = true");
  }
  if (group.method != RotateMethod::CopyTruncate) return;
  if (draft.reopen_at) {
    reader.fail(*draft.reopen_at,
                "'reopen' and method = \"copytruncate\" contradict each other: copytruncate is for "
                "writers that cannot reopen; with a reopen action leave method at \"rename\", "
                "which loses nothing");
  }
  if (draft.create_at) {
    reader.fail(*draft.create_at,
                "create_owner, create_group and create_mode apply to method = \"rename\" only: "
                "copytruncate keeps the live file");
  }
}

LogGroupConfig read_group(FieldReader& reader, const toml::table& table, LogDraft& draft) {
  draft.config.where = reader.location(table.source().begin).str();
  read_keys(reader, table, "[[logs]]", kLogKeys, draft);
  check_group(reader, table, draft);
  return draft.config;
}

}  // namespace

std::vector<std::string_view> log_key_names() { return names_of(kLogKeys); }

std::vector<LogGroupConfig> read_log_groups(FieldReader& reader, const toml::node& value) {
  std::vector<LogGroupConfig> groups;
  const auto* array = value.as_array();
  if (array == nullptr) {
    reader.fail(value.source(),
                fmt::format("'logs' must be an array of tables, got {}; write [[logs]] (double "
                            "brackets) above each group of log files",
                            toml_type_name(value)));
    return groups;
  }
  std::map<std::string, toml::source_region> first_at;  // path -> where it was first given
  for (const auto& element : *array) {
    const auto* table = element.as_table();
    if (table == nullptr) {
      reader.fail(element.source(),
                  fmt::format("each 'logs' must be a table, got {}", toml_type_name(element)));
      continue;
    }
    LogDraft draft;
    groups.push_back(read_group(reader, *table, draft));
    for (std::size_t i = 0; i < draft.config.paths.size(); ++i) {
      auto [first, added] = first_at.emplace(draft.config.paths[i], draft.paths_at[i]);
      if (!added) {
        reader.fail(draft.paths_at[i],
                    fmt::format("{} is already in a [[logs]] group (line {}); a file rotated by two "
                                "groups would rotate twice",
                                quoted(draft.config.paths[i]), first->second.begin.line));
      }
    }
  }
  return groups;
}

}  // namespace pm
