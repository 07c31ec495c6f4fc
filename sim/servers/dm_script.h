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
// is the Data.
//
// Alerts the client must send (FUMO Generic Alert 1226, dm.md §4):
//   <Package>
//     <Replace><Item target="./FUMO/Update/PkgData" format="b64">dGVzdA==
//     </Item></Replace>
//     <Exec correlator="c1"><Item target="./FUMO/Update"/></Exec>
//     <ExpectAlert code="1226" source="./FUMO/Update" data="200"
//        type="org.openmobilealliance.dm.firmwareupdate.update"
//        format="int" correlator="c1"/>
//   </Package>
// An <ExpectAlert> in a <Package> must be met by the client package that
// answers that package; in a top-level <Package1> (before the first
// <Package>) by the client's package 1 (a FUMO result reported at the start
// of the next session). Attributes: code (default 1226), source, type,
// format, data (accepted values, comma separated), mark, correlator; an
// absent attribute is not checked, an empty one (mark="", correlator="")
// means the element must be absent (dm.md §4: Correlator "must be omitted"
// when the Exec had none). Unmet: violation "script.expect.alert". A Get with
// status 200 must be followed by Results (checked by the server, dm.md §3.1).
// After the last package the server sends a package with only Final, which ends
// the session (dm.md §3.2).
#pragma once

#include <optional>
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

// An Alert the client must send (see <ExpectAlert> above).
struct ExpectedAlert {
  int code = 1226;
  std::optional<std::string> source;      // Item Source LocURI
  std::optional<std::string> type;        // Item (or command) Meta Type
  std::optional<std::string> format;      // Meta Format
  std::optional<std::string> mark;        // "" = must be absent
  std::vector<std::string> data;          // accepted Item Data; empty = any
  std::optional<std::string> correlator;  // "" = must be absent
  std::string ToString() const;           // for violations
};

// Whether a client Alert meets `e`; if not, `why` says which field differs.
bool AlertMatches(const ExpectedAlert& e, const codec::Command& alert,
                  std::string* why = nullptr);

struct ScriptPackage {
  std::vector<ScriptCommand> commands;
  std::vector<ExpectedAlert> expect_alerts;  // in the client's answer
};

struct DmScript {
  std::vector<ScriptPackage> packages;
  std::vector<ExpectedAlert> package1_alerts;  // in the client's package 1
};

codec::Result<DmScript> ParseDmScript(std::string_view xml);
codec::Result<DmScript> LoadDmScript(const std::string& path);

// Convenience for tests/programs: a Get/Replace/... with one item.
ScriptCommand ScriptGet(std::string uri, std::vector<int> expect = {});
ScriptCommand ScriptReplace(std::string uri, std::string value,
                            std::vector<int> expect = {},
                            std::string format = "chr");

}  // namespace omaiop::sim::servers
