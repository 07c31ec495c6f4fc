// Where `omaiop uicc ...` gets its card: the built-in demo tree ("sample"),
// an XML profile file, or the name of a profile shipped in fixtures/uicc/
// ("uicc-3g" = fixtures/uicc/uicc-3g.xml).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codec/result.h"
#include "sim/uicc/apdu_engine.h"
#include "sim/uicc/profile_loader.h"

namespace omaiop::cli {

// Resolves a profile argument to an XML file path ("" for "sample").
codec::Result<std::string> ResolveProfilePath(const std::string& name_or_path);
// Names of the profiles shipped in fixtures/uicc/.
std::vector<std::string> ShippedProfiles();

codec::Result<sim::uicc::Profile> LoadNamedProfile(
    const std::string& name_or_path);

codec::Result<std::unique_ptr<sim::uicc::Card>> LoadCardProfile(
    const std::string& name_or_path);

}  // namespace omaiop::cli
