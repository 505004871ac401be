#pragma once
// The request line and headers of an HTTP/1.1 request, as the test servers
// (loopback_http_server, unix_socket_http_server) record them.
#include <map>
#include <string>
#include <string_view>

namespace pm::test {

struct RequestHead {
  std::string method;
  std::string target;                          // as sent, query included
  std::map<std::string, std::string> headers;  // names lower-cased, values trimmed
};

// Parses `head`: everything before the blank line that ends the headers.
RequestHead parse_request_head(std::string_view head);

}  // namespace pm::test
