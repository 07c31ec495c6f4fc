// Fuzzes ParseUrl: hostile bytes must give a Result, never a crash; every URL
// accepted must survive ToString() -> ParseUrl() unchanged (userinfo aside).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sim/network/url.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using omaiop::sim::network::ParseUrl;
  auto url =
      ParseUrl(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!url.ok()) return 0;
  url->userinfo.clear();
  auto again = ParseUrl(url->ToString());
  if (!again.ok() || !(*again == *url)) std::abort();
  (void)url->HostHeader();
  (void)url->host_is_ip();
  return 0;
}
