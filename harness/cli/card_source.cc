#include "harness/cli/card_source.h"

#include "sim/uicc/sample_profile.h"

namespace omaiop::cli {

codec::Result<std::unique_ptr<sim::uicc::Card>> LoadCardProfile(
    const std::string& name_or_path) {
  if (name_or_path.empty() || name_or_path == "sample") {
    return std::make_unique<sim::uicc::Card>(sim::uicc::SampleFileSystem());
  }
  return codec::Error("unknown profile '" + name_or_path +
                          "': only the built-in 'sample' profile is "
                          "available in this build (XML profiles: not yet "
                          "wired)",
                      0, "omaiop uicc serve --profile");
}

}  // namespace omaiop::cli
