#pragma once
// HTTP(S) health probes over libcurl's multi interface: all transfers run
// concurrently in one thread. Proxies from the environment are ignored
// (health URLs are direct), redirects are not followed (a 3xx is judged by
// expect_status), and at most 1 MiB of a body is read.
#include "probe/probe.hpp"

namespace pm {

class HttpProber : public Prober {
 public:
  // `interrupt` (optional) ends probing early, within milliseconds of the
  // signal; unfinished probes report "interrupted".
  explicit HttpProber(const Interrupt* interrupt = nullptr);
  ~HttpProber() override;
  HttpProber(const HttpProber&) = delete;
  HttpProber& operator=(const HttpProber&) = delete;

  // Each attempt may take check.timeout, cut to what is left of `deadline`.
  // Once `deadline` has passed no attempt starts: the check reports its last
  // error, or "run deadline reached before the probe could run". A retry that
  // could only start after `deadline` is not waited for.
  std::vector<ProbeResult> probe_all(const std::vector<const HealthCheck*>& checks,
                                     Deadline deadline) override;

 private:
  const Interrupt* interrupt_;
};

}  // namespace pm
