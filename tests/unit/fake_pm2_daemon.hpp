#pragma once
// A stand-in PM2 daemon for tests: a PM2_HOME whose pm2.pid names this test
// process and whose rpc.sock answers pm2-axon-rpc calls as PM2 6.0.8 does
// (bytes built here by hand, independently of src/backend/pm2_axon). It
// counts the calls, so tests can assert one round trip per observation.
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pm::test {

class FakePm2Daemon {
 public:
  enum class Reply {
    List,           // {"args":[LIST]}: what getMonitorData answers
    Error,          // {"error":"..."}: a method the daemon refused
    Hang,           // read the call, never answer
    HalfThenClose,  // the first half of the list answer, then close
    HalfThenHang,   // the first half of the list answer, then silence
  };

  // Throws std::system_error if the socket cannot be made.
  FakePm2Daemon();
  ~FakePm2Daemon();
  FakePm2Daemon(const FakePm2Daemon&) = delete;
  FakePm2Daemon& operator=(const FakePm2Daemon&) = delete;

  const std::string& home() const { return home_; }

  // What getMonitorData answers from now on: the JSON text of the list.
  void answer(std::string list_json);
  void reply_with(Reply reply) { reply_ = reply; }

  // The methods called so far, in order.
  std::vector<std::string> calls() const;

 private:
  void serve();
  void answer_one(int fd);

  std::string home_;
  int listen_fd_ = -1;
  int stop_pipe_[2]{-1, -1};
  std::atomic<Reply> reply_{Reply::List};
  mutable std::mutex mutex_;
  std::string list_json_ = "[]";
  std::vector<std::string> calls_;
  std::vector<int> hung_;  // connections left unanswered, closed on destruction
  std::thread server_;
};

}  // namespace pm::test
