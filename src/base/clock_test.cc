#include "base/clock.h"

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(ClockTest, FormatsUtc) {
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1795500283)));
  EXPECT_EQ(FormatRfc3339(clock.Now()), "2026-11-24T06:04:43Z");
  clock.Advance(std::chrono::nanoseconds(1500));
  EXPECT_EQ(FormatRfc3339Nanos(clock.Now()), "2026-11-24T06:04:43.000001500Z");
}

}  // namespace
}  // namespace vigil
