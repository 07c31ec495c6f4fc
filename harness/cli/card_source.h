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
#include "sim/uicc/state_store.h"

namespace omaiop::cli {

// Resolves a profile argument to an XML file path ("" for "sample").
codec::Result<std::string> ResolveProfilePath(const std::string& name_or_path);
// Names of the profiles shipped in fixtures/uicc/.
std::vector<std::string> ShippedProfiles();

codec::Result<sim::uicc::Profile> LoadNamedProfile(
    const std::string& name_or_path);

codec::Result<std::unique_ptr<sim::uicc::Card>> LoadCardProfile(
    const std::string& name_or_path);

// A card whose writable content persists in a state file (`--state`): the
// saved state is laid over the profile, then every write the card makes is
// saved atomically. The store must outlive the card.
struct PersistentCard {
  std::unique_ptr<sim::uicc::StateStore> store;  // null without a state file
  std::unique_ptr<sim::uicc::Card> card;
  std::vector<codec::Diagnostic> warnings;  // saved entries not applied
  bool restored = false;                    // a state file was applied
};
codec::Result<PersistentCard> LoadPersistentCard(
    const std::string& name_or_path, const std::string& state_path);

}  // namespace omaiop::cli
