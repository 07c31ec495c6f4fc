// The test-case model (testcases/schema/testcase.xsd) and its loader.
//
// A test case is data: a header (ID, requirements, role, PICS applicability),
// variables and an optional CSV data source (SIPp-style injection),
// preconditions, steps (one struct per step type) and pass criteria. The
// loader validates the file with libxml2 against the schema compiled into the
// binary, then builds this value-type model; every Diagnostic names
// "file:line /xpath" and the rule (schema message or loader rule).
//
// Strings may hold ${NAME} references; they stay unresolved in the loaded
// model (the loader only checks that each name is declared) and are resolved
// per run by Instantiate(), one TestCase per data row.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "codec/result.h"
#include "harness/script/csv.h"
#include "harness/script/pics.h"
#include "harness/script/variables.h"

namespace omaiop::harness::script {

using Millis = std::chrono::milliseconds;

// Where an element came from, for diagnostics: "cases/x.xml:42".
struct SourceLoc {
  std::string file;
  int line = 0;
  std::string ToString() const;
};

// Which side omaiop plays (the IUT is the other side).
enum class Role { kHandset, kPushServer, kDmServer, kDmClient };
std::string_view RoleName(Role r);  // "handset", "push_server", ...

struct SpecRef {
  std::string document;
  std::string section;
};

struct Header {
  std::string title;
  std::string purpose;
  std::vector<std::string> requirements;  // requirement IDs, in file order
  std::vector<SpecRef> spec_refs;
  std::vector<std::string> scr;  // SCR references, e.g. "ProvBoot-B-C-008"
  Role role = Role::kHandset;
  std::string applicability_text;  // "" = always applies
  PicsExpr applicability;          // parsed; Kind::kTrue when text is ""
  std::vector<std::string> tags;
  // <proven-by name="FAULT"/>: faults that, injected into omaiop's simulated
  // peer for the whole case, must make it fail (checked by the suite test).
  std::vector<std::string> proven_by;
};

struct Variable {
  std::string name;
  std::string value;
  SourceLoc loc;
};

enum class DataMode { kEach, kSequential, kRandom };
std::string_view DataModeName(DataMode m);

struct DataSource {
  std::string file;      // as written in the test case
  std::string resolved;  // path resolved against the case's directory
  DataMode mode = DataMode::kEach;
  char separator = ',';
  std::uint32_t runs = 1;  // sequential / random: how many runs
  std::uint32_t seed = 0;  // random: the std::mt19937 seed
  CsvTable table;          // loaded at LoadTestCase time
  SourceLoc loc;
};

// --- preconditions ---------------------------------------------------------
struct WriteFile {              // <card><write-file>
  std::string path;             // FID path as written ("3F00/7F10/6F3A")
  std::uint32_t record = 0;     // 0 = transparent EF
  std::string hex, text, file;  // exactly one is set (loader rule)
  SourceLoc loc;
};
struct SetPin {       // <card><set-pin>
  std::string ref;    // PIN1 PIN2 ADM
  std::string state;  // enabled disabled verified blocked
  std::string value;
  std::optional<int> tries;
  SourceLoc loc;
};
using CardEdit = std::variant<WriteFile, SetPin>;

struct CardSetup {
  std::string profile;  // shipped profile name or a path
  bool inserted = true;
  std::vector<CardEdit> edits;
  SourceLoc loc;
};

struct Option {
  std::string name;
  std::string value;
  SourceLoc loc;
};

struct Preconditions {
  std::optional<CardSetup> card;
  std::vector<Option> handset;  // policy options, by name
  std::vector<Option> server;
  std::vector<std::string> faults;  // `omaiop cp faults` names, checked
};

// --- steps (one struct per XML element) ------------------------------------
struct PushStep {  // <push>
  std::string document;
  std::string sec = "none";  // none NETWPIN USERPIN USERNETWPIN USERPINMAC
  std::string pin, imsi, to, initiator;
  bool authenticated = false;
  std::vector<std::string> faults;
};
struct WaitSmsStep {  // <wait-sms>
  std::string from;
  std::optional<std::uint16_t> port;
  std::uint32_t count = 1;
};
struct CardInsertStep {  // <card-insert>
  std::string profile;   // "" = the card removed before
};
struct CardRemoveStep {};          // <card-remove>
struct PowerCycleStep {            // <power-cycle>
  std::string target = "handset";  // handset | card
};
struct DmSessionStep {  // <dm-session>
  std::string server_id;
  std::string trigger = "client";  // client | pkg0 | bootstrap
  std::string session_id;
};
struct ServerCommandsStep {  // <server-commands>
  std::string file;
  std::string inline_xml;  // the child elements, serialised; "" if none
};
struct UserPinStep {  // <user-pin>
  std::string pin;
};
struct UserAcceptStep {};  // <user-accept>
struct UserRejectStep {};  // <user-reject>
struct ExpectEventStep {   // <expect-event>
  std::string kind;        // sim::handset::cp::EventKindName, e.g. "rejected"
  std::string rule, path, detail;  // substrings; "" = any
  std::optional<std::uint32_t> count;
  bool absent = false;
};
struct ExpectStatusStep {  // <expect-status>
  std::string code;        // DM status code or push outcome
  std::string cmd, target;
};
struct CheckSettingStep {  // <check-setting>
  std::string kind, id, parm, value;
  bool has_value = false;  // value="" given explicitly
  bool present = true;
};
struct CheckTreeStep {  // <check-tree>
  std::string path, value, format;
  bool has_value = false;
  bool present = true;
};
struct CheckCardFileStep {  // <check-card-file>
  std::string path;
  std::uint32_t record = 0;
  std::string hex;       // expected bytes, or
  std::string xml;       // expected XML (serialised <xml> child), or
  std::string xml_file;  // expected XML from a file
};
struct WaitStep {};  // <wait timeout="...">

using StepBody =
    std::variant<PushStep, WaitSmsStep, CardInsertStep, CardRemoveStep,
                 PowerCycleStep, DmSessionStep, ServerCommandsStep, UserPinStep,
                 UserAcceptStep, UserRejectStep, ExpectEventStep,
                 ExpectStatusStep, CheckSettingStep, CheckTreeStep,
                 CheckCardFileStep, WaitStep>;

struct Step {
  std::string element;  // XML element name: "push", "expect-event", ...
  std::string name;     // optional label
  std::optional<Millis> timeout;  // as written
  Millis effective_timeout{0};    // timeout, else <steps default-timeout>
  StepBody body;
  SourceLoc loc;
};

struct PassCriteria {
  std::vector<std::string> criteria;
  std::optional<Millis> timeout;  // whole case
};

struct TestCase {
  std::string id;
  std::string source_file;  // path as loaded
  std::string base_dir;     // relative paths resolve against this
  Header header;
  std::vector<Variable> variables;
  std::optional<DataSource> data;
  Preconditions preconditions;
  Millis default_timeout{5000};
  std::vector<Step> steps;
  PassCriteria pass;
  // Set by Instantiate(): which data row (0-based) and run this is.
  std::optional<std::size_t> data_row;
  std::size_t run_index = 0;
};

struct LoadOptions {
  // Read the schema from this file instead of the built-in copy (tests of
  // the shipped .xsd; schema development).
  std::string schema_path;
  // Check <fault> names against the simulated push server's knobs.
  bool check_fault_names = true;
  // Read the <data> CSV file (off in the fuzz target: hostile paths).
  // When off, any ${NAME} is accepted since the columns are unknown.
  bool load_data_files = true;
  // Variables that will be supplied at run time (e.g. "IUT.smsc.host");
  // names with the prefix "IUT." are always accepted.
  std::vector<std::string> extra_variables;
};

// Loads, validates and parses one test case. Relative file references
// (data file) resolve against the file's directory.
codec::Result<TestCase> LoadTestCase(const std::string& path,
                                     const LoadOptions& options = {});
// The same from text; `name` is used in diagnostics, `base_dir` for files.
codec::Result<TestCase> LoadTestCaseFromString(std::string_view xml,
                                               const std::string& name,
                                               const std::string& base_dir,
                                               const LoadOptions& options = {});

// testcases/schema/testcase.xsd, compiled in.
std::string_view EmbeddedTestCaseSchema();

// One concrete run of a case: every ${NAME} in every string replaced, from
// (in priority order) `extra` (e.g. IUT.* PIXIT values), the data row, the
// <var> declarations. An undefined name is a Diagnostic naming the variable,
// the file and the line of the element that uses it.

codec::Result<TestCase> Instantiate(const TestCase& tc,
                                    const VariableMap& row = {},
                                    const VariableMap& extra = {});

struct ExpandOptions {
  VariableMap extra;  // e.g. IutVariables(iut)
  // Overrides <data runs>; 0 = as declared.
  std::uint32_t runs = 0;
};
// All runs of a case: without a data source, one; mode each: one per CSV row;
// sequential: `runs` runs, run i uses row i mod rows; random: `runs` runs,
// each a row drawn with std::mt19937(seed) (deterministic).
codec::Result<std::vector<TestCase>> Expand(const TestCase& tc,
                                            const ExpandOptions& options = {});

// Resolves a file reference of the case (document, data, xml-file): absolute
// paths as is; relative ones against the case's directory, else against the
// suite root (the parent of the nearest enclosing "testcases" directory), so
// cases can name "fixtures/cp/bootstrap.xml". Returns the first that exists,
// or the case-relative path if none does.
std::string ResolveCasePath(const TestCase& tc, std::string_view ref);

// Every file a case refers to (push documents, card profile paths with a '/',
// write-file/check-card-file files, server-commands files), resolved; those
// still holding ${...} are skipped. Returns the first missing one as an error.
codec::Status CheckFileReferences(const TestCase& tc);

}  // namespace omaiop::harness::script
