#pragma once
// Text from engines written into TOML safely: as a quoted string, or as a
// one-line comment. Engines may name things with quotes, backslashes,
// control characters or bytes that are not UTF-8; neither form lets them end
// the string or the line early.
#include <string>
#include <string_view>

namespace pm {

// A TOML basic string: `text` in double quotes, with '"' and '\' escaped,
// control characters as \b \t \n \f \r or \uXXXX, and every byte that is not
// part of valid UTF-8 replaced by \uFFFD.
std::string toml_string(std::string_view text);

// `text` made fit for a comment: one line (CR, LF and other control
// characters become a space), invalid UTF-8 bytes become '?'. Without the
// leading "# ".
std::string comment_text(std::string_view text);

}  // namespace pm
