// The simulated handset's OMA DM 1.2 management tree (OMA-TS-DM_TND-V1_2):
// interior and leaf nodes with their run-time properties, URI rules and
// limits, ACLs, and the server commands Add / Replace / Get / Delete / Copy /
// Exec, each answering the DM status code a client would put in its Status
// (dm.md §3.5) plus a reason naming the rule applied.
//
// Evidence: dm.md verifies the standard objects (§3.6), the status codes
// (§3.5) and the TNDS tag names (§3.9); the ACL grammar, URI escaping, the
// root's default ACL and the property rules are background knowledge of
// DM_TND 1.2 ([R] in dm.md §3.6). Each such behaviour is a TreeOptions field
// whose comment says so.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/result.h"

namespace omaiop::sim::handset::dm {

// --- status codes (dm.md §3.5) ----------------------------------------------
namespace status {
inline constexpr int kOk = 200;
inline constexpr int kItemAdded = 201;   // [R] SyncML RepPro 1.2
inline constexpr int kAccepted = 202;    // Exec accepted (FUMO)
inline constexpr int kBadRequest = 400;  // [R] RepPro; not in dm.md's subset
inline constexpr int kInvalidCredentials = 401;
inline constexpr int kForbidden = 403;
inline constexpr int kNotFound = 404;
inline constexpr int kNotAllowed = 405;
inline constexpr int kOptionalNotSupported = 406;
inline constexpr int kUriTooLong = 414;
inline constexpr int kUnsupportedFormat = 415;  // [R] RepPro 1.2
inline constexpr int kAlreadyExists = 418;
inline constexpr int kDeviceFull = 420;
inline constexpr int kPermissionDenied = 425;
inline constexpr int kCommandFailed = 500;
}  // namespace status

// --- Format (DM_TND: b64 bin bool chr int node null xml date time float) -----
enum class Format {
  kB64,
  kBin,
  kBool,
  kChr,
  kInt,
  kNode,
  kNull,
  kXml,
  kDate,
  kTime,
  kFloat
};
std::string_view FormatName(Format f);
std::optional<Format> FormatFromName(std::string_view name);
// Whether `value` is a valid lexical form for `f` (int: optional sign and
// digits fitting in 32 bits; bool: true/false; float: decimal with optional
// exponent; date: YYYY-MM-DD; time: hh:mm:ss[.f][Z]; b64: strict base64;
// null: empty; xml: well-formed XML). The date/time/float lexical forms
// follow DM_TND 1.2 as remembered [R].
bool ValueMatchesFormat(Format f, std::string_view value);

// --- ACL ---------------------------------------------------------------------
// Commands an ACL can grant (DM_TND ACL: Add, Delete, Exec, Get, Replace).
enum class AclCommand { kAdd, kDelete, kExec, kGet, kReplace };
std::string_view AclCommandName(AclCommand c);
std::optional<AclCommand> AclCommandFromName(std::string_view name);

// ACL property value: "Add=srv1+srv2&Get=*" (entries separated by '&',
// server ids by '+', "*" = every server) [R: dm.md §3.6 gives the example
// "Get=*&Replace=ServerA" only]. The empty ACL means "inherit from the
// nearest ancestor that has one".
class Acl {
 public:
  Acl() = default;
  // Rejects unknown command names, an entry without '=', an empty server id
  // and characters outside printable ASCII. A command repeated in two
  // entries merges its server lists (lenient, [R]).
  static codec::Result<Acl> Parse(std::string_view text);
  // Canonical form: commands in Add, Delete, Exec, Get, Replace order,
  // server ids in the order first seen.
  std::string ToString() const;
  bool empty() const { return entries_.empty(); }
  bool Has(AclCommand c) const { return entries_.count(c) != 0; }
  // Whether the entry for `c` names `server_id` or "*".
  bool Allows(AclCommand c, std::string_view server_id) const;
  void Grant(AclCommand c, std::string server_id);
  const std::map<AclCommand, std::vector<std::string>>& entries() const {
    return entries_;
  }
  bool operator==(const Acl&) const = default;

 private:
  std::map<AclCommand, std::vector<std::string>> entries_;
};

// --- URI ---------------------------------------------------------------------
// Limits published in ./DevDetail/URI (dm.md §3.6; 0 = unlimited).
struct UriLimits {
  std::uint32_t max_depth = 0;    // segments below "."
  std::uint32_t max_tot_len = 0;  // characters of the URI without query
  std::uint32_t max_seg_len = 0;  // characters of one segment
};

struct ParsedUri {
  std::vector<std::string> segments;  // below ".", empty = the root
  std::string query;                  // text after '?', "" if none
  bool escaped = false;      // names are %-escaped in Path() (percent_decode)
  std::string Path() const;  // "./A/B" or "."
};

// A node name as a URI segment: with escaping (UriOptions::percent_decode)
// '%', '/' and '?' become %25, %2F, %3F so every name stays addressable.
std::string EscapeSegment(std::string_view name, bool escape);

struct UriOptions {
  // A URI without the "./" prefix ("DevInfo/DevId") is relative to the root
  // [R: DM_TND allows relative URIs; whether a client must is not in dm.md].
  bool allow_relative = true;
  // Decode %XX escapes inside segments (so "%2F" can put '/' in a name)
  // [R: DM_TND 1.2 escaping is not in dm.md; off = names are literal].
  bool percent_decode = false;
};

// Parses and checks a DM URI: "." or "./seg/seg" (+ "?query"); no empty
// segment (so no "//" and no trailing '/'), no "." or ".." segment, limits.
// The returned code (in a failed OpResult) is 400 for a malformed URI and
// 414 for a limit, with the reason naming the limit.
struct OpResult;
OpResult ParseUri(std::string_view uri, const UriLimits& limits,
                  const UriOptions& options, ParsedUri* out);

// --- operation result
// ----------------------------------------------------------
struct GetItem {  // one Results item
  std::string uri;
  std::string format;  // "chr", "node", ... (Meta Format)
  std::string type;    // Meta Type, may be empty
  std::string data;
  bool has_data = true;  // ?list=Struct items carry none
};

struct OpResult {
  int code = status::kOk;
  std::string reason;  // what happened, naming the rule
  std::vector<GetItem> items;
  bool ok() const { return code >= 200 && code < 300; }
};

// --- nodes -------------------------------------------------------------------
// AccessType of a node (DDF; Copy included). A command outside it is 405.
enum AccessBits : std::uint8_t {
  kAccessAdd = 1,
  kAccessCopy = 2,
  kAccessDelete = 4,
  kAccessExec = 8,
  kAccessGet = 16,
  kAccessReplace = 32,
  kAccessAll = 63,
};

struct Node {
  std::string name;
  Format format = Format::kNode;
  std::string type;   // leaf: MIME; interior: DDF name (MO identifier)
  std::string value;  // leaf value (bin: raw octets)
  Acl acl;            // empty = inherited
  std::string title;
  std::int64_t tstamp = 0;  // seconds since the epoch (TreeOptions::clock)
  std::uint32_t ver_no = 0;
  bool permanent = false;  // DDF Scope Permanent: no Delete / rename
  std::uint8_t access = kAccessAll;
  std::string origin;  // who brought it: "card:<ICCID>", "ota", "factory"
  std::vector<std::unique_ptr<Node>> children;  // insertion order

  bool interior() const { return format == Format::kNode; }
  Node* Child(std::string_view n) const;
};

// Who issues a command. The device itself (bootstrap, factory set-up) is
// not subject to ACLs or AccessType; servers are.
struct Caller {
  std::string server_id;
  bool device = false;
  static Caller Device() { return {"", true}; }
  static Caller Server(std::string id) { return {std::move(id), false}; }
};

// Content of an Add / Replace item (Meta Format/Type and Data).
struct Content {
  std::optional<Format> format;  // absent = chr (SyncML Meta default)
  std::string format_text;       // when set and unknown: 415
  std::string type;
  std::string data;
  std::string origin;  // tag for the created node(s) (bootstrap source)
};

// Extra properties the device sets when it builds its own nodes.
struct NodeInit {
  Format format = Format::kNode;
  std::string type;
  std::string value;
  std::string acl;  // ACL text, "" = inherit
  std::string title;
  bool permanent = false;
  std::uint8_t access = kAccessAll;
  std::string origin;
};

struct ExecRequest {
  std::string uri;
  std::string data;
  std::string correlator;
  Caller caller;
};
using ExecHandler = std::function<OpResult(const ExecRequest&)>;
// Called instead of creating a node when a server Adds to a URI that has a
// handler (./Inbox): the handler decides what the Add means.
using AddHandler = std::function<OpResult(const Caller&, std::string_view uri,
                                          const Content&)>;

// --- subtree storage hook ----------------------------------------------------
// A subtree whose storage lives elsewhere (a card-resident MO, card_mo.h).
// The tree applies a write under the backend's prefix tentatively, then asks
// the backend to commit it to its storage; a refusal restores the tree as
// it was (whole-tree snapshot) and becomes the command's status. Trees
// without a backend behave exactly as before.
class Tree;
struct SubtreeWrite {
  enum class Kind {
    kAdd,
    kReplace,
    kDelete,
    kCopy,
    kTnds,
    kDeviceAdd,
    kDeviceSet
  };
  Kind kind = Kind::kAdd;
  std::string uri;  // the command's target as given
  Caller caller;
};
std::string_view SubtreeWriteKindName(SubtreeWrite::Kind k);

class SubtreeBackend {
 public:
  virtual ~SubtreeBackend() = default;
  // Before a Get (or a Copy's source read) at or below the prefix is
  // answered; a failure is the command's status.
  virtual OpResult BeforeRead(const Tree& tree, const Caller& caller,
                              std::string_view uri) {
    return {};
  }
  // Before a write at or below the prefix is tried (e.g. storage locked or
  // absent: the refusal wins over the tree's own 404/418).
  virtual OpResult BeforeWrite(const Tree& tree, const SubtreeWrite& w) {
    return {};
  }
  // After a write at or below the prefix succeeded on the tree, before it
  // is final. `tree` shows the new state.
  virtual OpResult CommitWrite(const Tree& tree, const SubtreeWrite& w) = 0;
  // The tree was restored from a snapshot by its owner (DM Atomic
  // rollback): the backend brings its storage in line with the tree.
  virtual void TreeRestored(const Tree& tree) {}
};

struct TreeOptions {
  UriLimits limits;  // normally the values of ./DevDetail/URI
  UriOptions uri;
  // Add of ./A/B/C when ./A/B is missing creates the interior parents, as
  // DM 1.2 permits a client to do [R]; off = 404.
  bool auto_create_parents = true;
  // Status of a successful Add: DM clients answer 200; RepPro's 201
  // "item added" is [R] in dm.md §3.5.
  int add_success_code = status::kOk;
  // ACL of "." when the tree is created [R: DM_TND default "Add=*&Get=*"].
  std::string root_acl = "Add=*&Get=*";
  // Whether Replace may set the root's ACL to "" [R: DM_TND says the root
  // must always have an ACL; not in dm.md], default refused with 405.
  bool root_acl_may_be_empty = false;
  // Replace of a leaf's ACL needs Replace on the parent; of an interior
  // node's ACL, Replace on the node itself [R: DM_TND 1.2 rule from memory].
  // Off = Replace on the node itself for both.
  bool leaf_acl_change_needs_parent_replace = true;
  // Maximum number of nodes (0 = no limit); more is 420 device full.
  std::size_t max_nodes = 0;
  // Clock for TStamp; default: a counter starting at 1 (deterministic).
  std::function<std::int64_t()> clock;
};

class Tree {
 public:
  explicit Tree(TreeOptions options = {});

  const TreeOptions& options() const { return options_; }
  void set_limits(const UriLimits& l) { options_.limits = l; }

  // --- server commands (dm.md §3.1) ---
  OpResult Add(const Caller& c, std::string_view uri, const Content& content);
  // Value Replace, or property Replace with "?prop=ACL|Name|Title".
  OpResult Replace(const Caller& c, std::string_view uri,
                   const Content& content);
  // Plain Get (leaf value, or interior child names joined by '/'), or with
  // "?list=Struct|StructData|TNDS[+ACL+Format+...+Value]" or "?prop=X".
  OpResult Get(const Caller& c, std::string_view uri);
  OpResult Delete(const Caller& c, std::string_view uri);
  // Copies source (node or subtree) to target: a missing target is created
  // (Add right on its parent), an existing leaf target gets the value
  // (Replace right) [R: DM 1.2 Copy semantics].
  OpResult Copy(const Caller& c, std::string_view target,
                std::string_view source);
  OpResult Exec(const Caller& c, std::string_view uri, std::string data = {},
                std::string correlator = {});

  void RegisterExec(std::string uri, ExecHandler h);
  void RegisterAddHandler(std::string uri, AddHandler h);

  // Installs `backend` (not owned; nullptr removes) for the subtree at
  // `prefix`: writes at/below it, a Delete of an ancestor, and every
  // AddTnds/Copy (their real targets are only known after applying) are
  // committed through it; Gets at/below it consult BeforeRead.
  void SetSubtreeBackend(std::string_view prefix, SubtreeBackend* backend);
  // Tells every backend that the tree was restored from a snapshot.
  void NotifyRestored();

  // --- device-side building (no ACL check) ---
  // Creates `uri` (parents auto-created as plain interior nodes); 418 if it
  // exists.
  OpResult DeviceAdd(std::string_view uri, const NodeInit& init);
  // Sets a leaf value without ACL checks (e.g. FUMO State), keeps properties.
  OpResult DeviceSet(std::string_view uri, std::string value);

  // --- inspection ---
  const Node& root() const { return *root_; }
  const Node* Find(std::string_view uri) const;  // nullptr if absent/invalid
  Node* FindMutable(std::string_view uri);
  // The ACL that applies to `uri`: its own or the nearest ancestor's.
  Acl EffectiveAcl(std::string_view uri) const;
  // Top-most nodes whose origin tag is `origin` (descendants of such a node
  // are not listed again).
  std::vector<std::string> UrisOfOrigin(std::string_view origin) const;
  std::size_t node_count() const { return node_count_; }

  // TNDS (DM_TND 1.2, dm.md §3.9 page 2 names) of the subtree at `uri`.
  // `props` picks RTProperties and Value like the ?list=TNDS+... query.
  struct TndsProps {
    bool acl = false, format = false, type = false, size = false, title = false,
         tstamp = false, ver_no = false, value = false;
    static TndsProps All() {
      return {true, true, true, true, true, true, true, true};
    }
  };
  codec::Result<std::string> ToTnds(std::string_view uri,
                                    const TndsProps& props) const;
  // Adds the nodes of a TNDS MgmtTree below `base` ("." = the Path or the
  // top-level NodeName is taken from the root). Stops at the first failing
  // node; that node's result is returned.
  OpResult AddTnds(const Caller& c, std::string_view tnds_xml,
                   std::string_view base = ".", std::string_view origin = {});

  // Tree as JSON ({"name","uri","format","type","acl","value",...,
  // "children":[...]}); secret values are printed unless redact_secrets.
  // Values are the bytes received and may not be UTF-8: dump with
  // nlohmann::json::error_handler_t::replace.
  nlohmann::json ToJson(bool redact_secrets = false) const;
  // A `tree`-style listing: "|-- DevId = IMEI:1 (chr) [Get=*]".
  std::string ToText() const;

 private:
  OpResult Resolve(std::string_view uri, ParsedUri* p) const;
  OpResult CheckAcl(const Caller& c, const std::vector<std::string>& segs,
                    AclCommand cmd, const char* what) const;
  OpResult CheckAccess(const Caller& c, const Node& n, AccessBits bit,
                       const char* what) const;
  OpResult CreateNode(const Caller& c, const ParsedUri& p,
                      std::unique_ptr<Node> node);
  OpResult ReplaceProperty(const Caller& c, const ParsedUri& p, Node& n,
                           const std::string& prop, const Content& content);
  OpResult GetList(const Caller& c, const ParsedUri& p, const Node& n,
                   std::string_view list);
  OpResult GetProperty(const Caller& c, const ParsedUri& p, const Node& n,
                       std::string_view prop);
  Node* Walk(const std::vector<std::string>& segs) const;
  // The backend that must commit a write of `kind` to `uri` (nullptr: none,
  // or a guarded write is already running); `always` = any backend.
  SubtreeBackend* BackendFor(std::string_view uri, SubtreeWrite::Kind kind,
                             bool always) const;
  // Runs `op` as a tentative write committed through `b`.
  OpResult Guarded(SubtreeBackend& b, SubtreeWrite w,
                   const std::function<OpResult()>& op);
  void Touch(Node& n);
  std::int64_t Now();

  TreeOptions options_;
  std::unique_ptr<Node> root_;
  std::size_t node_count_ = 1;
  std::int64_t counter_ = 0;
  std::map<std::string, ExecHandler> exec_;
  std::map<std::string, AddHandler> add_handlers_;
  std::vector<std::pair<std::vector<std::string>, SubtreeBackend*>> backends_;
  int guard_depth_ = 0;
};

// Joins "./A" + "B" -> "./A/B"; "." + "B" -> "./B".
std::string JoinUri(std::string_view parent, std::string_view child);

}  // namespace omaiop::sim::handset::dm
