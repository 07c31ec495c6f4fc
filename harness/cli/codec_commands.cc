#include "harness/cli/commands.h"

namespace omaiop::cli {

void RegisterCodecCommands(CLI::App& app, CommandContext& ctx) {
  // decode / encode are added here as the codec layer lands.
  (void)app;
  (void)ctx;
}

}  // namespace omaiop::cli
