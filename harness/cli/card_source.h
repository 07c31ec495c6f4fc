// Where `omaiop uicc serve --profile P` gets its card. A seam: today only the
// built-in sample profile exists; the integrator points this at the XML
// profile loader (sim/uicc/profile_*) and the persisted state (--state).
#pragma once

#include <memory>
#include <string>

#include "codec/result.h"
#include "sim/uicc/apdu_engine.h"

namespace omaiop::cli {

// "sample" (or empty) = sim::uicc::SampleFileSystem() with the default PINs
// (PIN1 1234 / PUK1 12345678). Anything else fails, naming what exists.
codec::Result<std::unique_ptr<sim::uicc::Card>> LoadCardProfile(
    const std::string& name_or_path);

}  // namespace omaiop::cli
