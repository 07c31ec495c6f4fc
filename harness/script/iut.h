// The IUT description (testcases/schema/iut.xsd): which adapter reaches the
// implementation under test, its PICS (supported features) and PIXIT
// (addresses, credentials, trigger templates). Applicability() decides
// whether a test case applies to it; a case that does not gets verdict
// `none` with the reason.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/result.h"
#include "harness/script/pics.h"
#include "harness/script/testcase.h"
#include "harness/script/variables.h"

namespace omaiop::harness::script {

enum class AdapterKind {
  kSimulated,       // in-process peers from sim/ (default)
  kSmppPushServer,  // a real CP push server submitting to omaiop's SMSC
  kHttpDmServer,    // a real DM server by URL
  kDmClient,        // a real DM client connecting to omaiop's DM server
  kCommand,         // an IUT driven by a command
};
std::string_view AdapterName(AdapterKind k);  // "smpp_push_server", ...

struct IutAddress {
  std::string name;
  std::string host;
  std::optional<std::uint16_t> port;
  std::string url;
  std::string msisdn;
};
struct IutCredential {
  std::string name;
  std::string user, password, secret;
};
struct IutTrigger {
  std::string name;
  enum class Kind { kCommand, kUrl } kind = Kind::kCommand;
  std::string method = "GET";  // kUrl
  std::string text;            // the template, with ${NAME}s
  std::optional<Millis> timeout;
};

struct Iut {
  std::string name;
  AdapterKind adapter = AdapterKind::kSimulated;
  std::string description;
  PicsItems pics;  // item -> "true" / "false" / value
  std::vector<IutAddress> addresses;
  std::vector<IutCredential> credentials;
  std::vector<IutTrigger> triggers;
  VariableMap params;
  std::string source_file;

  const IutTrigger* FindTrigger(std::string_view name) const;
  const IutAddress* FindAddress(std::string_view name) const;
};

// Loads and validates (iut.xsd, compiled in) an IUT description. Errors name
// file:line and the rule. Duplicate PICS items, addresses, credentials,
// triggers or params are errors; trigger templates must be well-formed.
codec::Result<Iut> LoadIut(const std::string& path);
codec::Result<Iut> LoadIutFromString(std::string_view xml,
                                     const std::string& name);
std::string_view EmbeddedIutSchema();

// The built-in simulated IUT (what `omaiop run` uses without --iut): adapter
// simulated, every PICS item the simulated peers implement declared true.
Iut SimulatedIut();

// PIXIT values as variables for test cases and trigger templates:
//   IUT.name, IUT.<address>.host/.port/.url/.msisdn,
//   IUT.<credential>.user/.password/.secret, IUT.<param>.
VariableMap IutVariables(const Iut& iut);

// Expands a trigger template with `vars` (case variables + IutVariables).
// For a command trigger the result is split into arguments on spaces first
// and each argument expanded separately (no shell; a value with spaces stays
// one argument); for a URL trigger, values are percent-encoded (RFC 3986
// unreserved characters kept). Errors name the undefined variable.
codec::Result<std::vector<std::string>> ExpandCommandTrigger(
    const IutTrigger& t, const VariableMap& vars);
codec::Result<std::string> ExpandUrlTrigger(const IutTrigger& t,
                                            const VariableMap& vars);

struct ApplicabilityResult {
  bool applies = true;
  // Why (always set): "CP-SEC-NETWPIN is false", "role handset needs an IUT
  // that is a push server (adapter smpp_push_server, command or simulated)".
  std::string reason;
};
// Does `tc` apply to `iut`? (not applicable = verdict none, with reason) Checks
// the role against the adapter (the IUT must be able to play the other side)
// and against the IUT's param omaiop-roles (comma-separated roles omaiop may
// play, e.g. "push_server" for a handset behind a command), and the PICS
// expression.
ApplicabilityResult Applicability(const TestCase& tc, const Iut& iut);

}  // namespace omaiop::harness::script
