#include <CLI/CLI.hpp>
#include <iostream>

#include "harness/cli/commands.h"
#include "omaiop/version.h"

int main(int argc, char** argv) {
  using namespace omaiop::cli;
  CLI::App app{
      "omaiop: conformance test harness and device simulator for OMA DM Smart "
      "Card 1.0 and Client Provisioning 1.2",
      "omaiop"};
  app.set_version_flag("--version", std::string("omaiop ") + omaiop::kVersion);
  app.require_subcommand(1);
  CommandContext ctx;
  RegisterCodecCommands(app, ctx);
  RegisterUiccCommands(app, ctx);
  RegisterCpCommands(app, ctx);
  RegisterReportCommands(app, ctx);
  RegisterListCommands(app, ctx);
  RegisterSmscCommands(app, ctx);
  RegisterDmCommands(app, ctx);
  RegisterRunCommands(app, ctx);
  if (argc <= 1) {
    std::cout << app.help();
    return kExitOk;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitToolFailure;
  }
  return ctx.exit_code;
}
