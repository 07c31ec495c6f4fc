// The script a simulated DM server plays in one session: the server packages
// (2, 4, ...) with the management commands to send, and what the client is
// expected to answer to each.
//
// Script file format (XML, root <DmScript>; example:
// fixtures/dm/scripts/get_replace_exec.xml):
//
//   <DmScript>
//     <Package>                       one server package per <Package>
//       <Get expect="200">            command element = SyncML command name:
//         <Item target="./DevInfo/Mod"/>    Get Replace Add Delete Exec Copy
//       </Get>                              Alert Atomic Sequence
//       <Replace expect="200,204">    expect: accepted status codes (comma
//         <Item target="./X" format="chr" type="text/plain">v</Item>
//       </Replace>                    separated); absent = any code
//       <Exec correlator="c1"><Item target="./FUMO/Update"/></Exec>
//       <Copy><Item target="./B" source="./A"/></Copy>
//       <Alert code="1101"><Item>MINDT=10</Item><Item>OK?</Item></Alert>
//       <Atomic expect="200"><Add>...</Add></Atomic>   (nested commands)
//     </Package>
//   </DmScript>
//
// <Item> attributes: target, source (LocURI), format, type (Meta); its text
// is the Data. A Get with status 200 must be followed by Results (checked by
// the server, dm.md §3.1). After the last package the server sends a package
// with only Final, which ends the session (dm.md §3.2).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "codec/result.h"
#include "codec/syncml.h"

namespace omaiop::sim::servers {

struct ScriptCommand {
  codec::Command command;          // CmdIDs are assigned when sent
  std::vector<int> expect_status;  // empty = any
  // Expectations of nested commands (Atomic/Sequence), parallel to
  // command.children.
  std::vector<ScriptCommand> children;
};

struct ScriptPackage {
  std::vector<ScriptCommand> commands;
};

struct DmScript {
  std::vector<ScriptPackage> packages;
};

codec::Result<DmScript> ParseDmScript(std::string_view xml);
codec::Result<DmScript> LoadDmScript(const std::string& path);

// Convenience for tests/programs: a Get/Replace/... with one item.
ScriptCommand ScriptGet(std::string uri, std::vector<int> expect = {});
ScriptCommand ScriptReplace(std::string uri, std::string value,
                            std::vector<int> expect = {},
                            std::string format = "chr");

}  // namespace omaiop::sim::servers
