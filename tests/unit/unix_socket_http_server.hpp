#pragma once
// A small HTTP/1.1 server on a UNIX socket, standing in for the Docker engine
// in tests. The socket lives in a fresh temporary directory (removed on
// destruction). One thread accepts, one thread per connection answers; the
// connections are kept alive, as dockerd keeps them. Responses are scripted per
// "METHOD path" (query ignored); anything else answers 404 with a Docker-style
// {"message": ...} body. Stopping (the destructor) ends hangs at once.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http_request_head.hpp"

namespace pm::test {

struct ScriptedResponse {
  int status = 200;
  std::string body{};
  std::vector<std::pair<std::string, std::string>> headers{};  // added to the response
  bool hang = false;  // read the request, never answer (until the client or the server goes away)
};

using SocketRequest = RequestHead;

class UnixSocketHttpServer {
 public:
  // Listens and starts accepting; throws std::system_error if it cannot.
  UnixSocketHttpServer();
  ~UnixSocketHttpServer();
  UnixSocketHttpServer(const UnixSocketHttpServer&) = delete;
  UnixSocketHttpServer& operator=(const UnixSocketHttpServer&) = delete;

  // `method_and_path` is "GET /v1.41/containers/json".
  void on(const std::string& method_and_path, ScriptedResponse response);
  // GET /_ping answers "OK", with an API-Version header when `api_version` is set.
  void answer_ping(std::optional<std::string> api_version);

  const std::string& socket_path() const { return socket_path_; }
  const std::string& directory() const { return directory_; }

  std::vector<SocketRequest> requests() const;
  int connections() const;

 private:
  void accept_loop();
  void serve(int fd);
  bool send_all(int fd, const std::string& data) const;

  std::string directory_;
  std::string socket_path_;
  int listen_fd_ = -1;
  int stop_pipe_[2]{-1, -1};  // readable once stopping
  mutable std::mutex mutex_;
  std::map<std::string, ScriptedResponse> script_;
  std::vector<SocketRequest> requests_;
  int connections_count_ = 0;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

// A fresh directory under /tmp (not $TMPDIR: a socket path must stay under 108
// bytes); throws std::system_error if it cannot. The caller removes it.
std::string make_temp_directory(const char* prefix);

// A listening UNIX socket bound at `path` (close-on-exec, backlog 64);
// throws std::system_error if it cannot.
int listen_on_unix_socket(const std::string& path);

}  // namespace pm::test
