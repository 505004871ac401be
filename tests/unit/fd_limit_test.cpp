#include <catch2/catch.hpp>

#include <sys/resource.h>

#include "util/fd_limit.hpp"

using namespace pm;

TEST_CASE("the descriptor limit is raised towards the hard limit when needed, never lowered", "[fd_limit]") {
  rlimit before{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &before) == 0);
  CHECK(make_room_for_descriptors(8) == before.rlim_cur);  // already room: unchanged

  const rlim_t wanted = before.rlim_max == RLIM_INFINITY ? before.rlim_cur + 16 : before.rlim_max;
  const std::size_t after = make_room_for_descriptors(wanted);
  CHECK(after >= before.rlim_cur);
  CHECK(after <= wanted);
  rlimit now{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &now) == 0);
  CHECK(now.rlim_cur == after);
  setrlimit(RLIMIT_NOFILE, &before);  // the other tests run with the limit they started with
}
