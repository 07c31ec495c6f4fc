// Replays a fuzz target's seed corpus as a regular test when the build is not a
// libFuzzer build, so every corpus file (including crashers once fixed) runs in
// `scripts/test` and under ASan/UBSan. Usage: TARGET DIR_OR_FILE...
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size);

namespace fs = std::filesystem;

static int RunFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> buf((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(buf.data()),
                         buf.size());
  return 1;
}

int main(int argc, char** argv) {
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file()) files += RunFile(e.path());
    } else if (fs::is_regular_file(p)) {
      files += RunFile(p);
    } else {
      std::fprintf(stderr, "no such corpus: %s\n", argv[i]);
      return 1;
    }
  }
  if (files == 0) {
    std::fprintf(stderr, "empty corpus: a fuzz target needs seed inputs\n");
    return 1;
  }
  // Also the degenerate inputs every parser must survive.
  LLVMFuzzerTestOneInput(nullptr, 0);
  std::uint8_t ff[64];
  std::memset(ff, 0xFF, sizeof ff);
  LLVMFuzzerTestOneInput(ff, sizeof ff);
  std::printf("replayed %d corpus file(s)\n", files);
  return 0;
}
