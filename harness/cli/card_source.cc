#include "harness/cli/card_source.h"

#include <algorithm>
#include <filesystem>

#include "sim/uicc/sample_profile.h"

namespace omaiop::cli {

namespace fs = std::filesystem;

namespace {
// Shipped profiles live in the source tree; the binary knows where it was
// built from, which is where users run it (scripts/run).
fs::path ShippedDir() { return fs::path(OMAIOP_SOURCE_DIR) / "fixtures/uicc"; }
}  // namespace

std::vector<std::string> ShippedProfiles() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ShippedDir(), ec))
    if (e.path().extension() == ".xml") names.push_back(e.path().stem());
  std::sort(names.begin(), names.end());
  return names;
}

codec::Result<std::string> ResolveProfilePath(const std::string& name_or_path) {
  if (name_or_path.empty() || name_or_path == "sample") return std::string();
  std::error_code ec;
  if (fs::is_regular_file(name_or_path, ec)) return name_or_path;
  fs::path shipped = ShippedDir() / (name_or_path + ".xml");
  if (fs::is_regular_file(shipped, ec)) return shipped.string();
  std::string known = "sample";
  for (const auto& n : ShippedProfiles()) known += ", " + n;
  return codec::PathError("no profile file or shipped profile named '" +
                              name_or_path + "' (shipped: " + known + ")",
                          name_or_path, "omaiop uicc --profile");
}

codec::Result<sim::uicc::Profile> LoadNamedProfile(
    const std::string& name_or_path) {
  OMAIOP_ASSIGN_OR_RETURN(std::string path, ResolveProfilePath(name_or_path));
  if (path.empty())
    return codec::PathError(
        "'sample' is the built-in demo tree, not an XML profile", "sample",
        "omaiop uicc --profile");
  return sim::uicc::LoadProfile(path);
}

codec::Result<std::unique_ptr<sim::uicc::Card>> LoadCardProfile(
    const std::string& name_or_path) {
  OMAIOP_ASSIGN_OR_RETURN(std::string path, ResolveProfilePath(name_or_path));
  if (path.empty())
    return std::make_unique<sim::uicc::Card>(sim::uicc::SampleFileSystem());
  OMAIOP_ASSIGN_OR_RETURN(sim::uicc::Profile profile,
                          sim::uicc::LoadProfile(path));
  return std::make_unique<sim::uicc::Card>(profile.MakeCard());
}

codec::Result<PersistentCard> LoadPersistentCard(
    const std::string& name_or_path, const std::string& state_path) {
  OMAIOP_ASSIGN_OR_RETURN(std::string path, ResolveProfilePath(name_or_path));
  sim::uicc::FileSystem fs;
  sim::uicc::PinStore pins = sim::uicc::PinStore::Default();
  sim::uicc::CardOptions options;
  if (path.empty()) {
    fs = sim::uicc::SampleFileSystem();
  } else {
    OMAIOP_ASSIGN_OR_RETURN(sim::uicc::Profile profile,
                            sim::uicc::LoadProfile(path));
    fs = std::move(profile.fs);
    pins = std::move(profile.pins);
    options = profile.options;
  }
  PersistentCard out;
  if (!state_path.empty()) {
    out.store = std::make_unique<sim::uicc::StateStore>(state_path);
    OMAIOP_ASSIGN_OR_RETURN(out.restored,
                            out.store->Load(fs, pins, &out.warnings));
  }
  out.card = std::make_unique<sim::uicc::Card>(std::move(fs), std::move(pins),
                                               options);
  if (out.store) out.store->Attach(*out.card);
  return out;
}

}  // namespace omaiop::cli
