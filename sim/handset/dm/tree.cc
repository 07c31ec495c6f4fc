#include "sim/handset/dm/tree.h"

#include <libxml/tree.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <functional>

#include "codec/dm_auth.h"
#include "codec/xml.h"

namespace omaiop::sim::handset::dm {

std::string EscapeSegment(std::string_view name, bool escape) {
  if (!escape) return std::string(name);
  std::string out;
  for (char c : name) {
    if (c == '%')
      out += "%25";
    else if (c == '/')
      out += "%2F";
    else if (c == '?')
      out += "%3F";
    else
      out += c;
  }
  return out;
}

namespace {

constexpr char kRuleUri[] = "DM_TND 1.2 URI syntax [R]";
constexpr char kRuleLimits[] = "dm.md §3.6 DevDetail/URI limits";
constexpr char kRuleAcl[] = "DM_TND 1.2 ACL [R], dm.md §3.6";
constexpr char kRuleAccess[] = "DDF AccessType";
constexpr char kTndsType[] = "application/vnd.syncml.dmtnds+xml";

OpResult Fail(int code, std::string reason) {
  return OpResult{code, std::move(reason), {}};
}
OpResult Ok(int code = status::kOk, std::string reason = "ok") {
  return OpResult{code, std::move(reason), {}};
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 120)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  if (s.size() > 120) out += "...";
  return out + "'";
}

std::string UriOf(const std::vector<std::string>& segs, std::size_t n,
                  bool escape = false) {
  std::string u = ".";
  for (std::size_t i = 0; i < n && i < segs.size(); ++i) {
    u += '/';  // (two appends: GCC 12 -Wrestrict false positive on "/" + s)
    u += EscapeSegment(segs[i], escape);
  }
  return u;
}

std::string FormatTStamp(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string LeafData(const Node& n) {
  if (n.format == Format::kBin)
    return codec::Base64Encode(codec::AsBytes(n.value));
  return n.value;
}

std::unique_ptr<Node> Clone(const Node& n) {
  auto c = std::make_unique<Node>();
  c->name = n.name;
  c->format = n.format;
  c->type = n.type;
  c->value = n.value;
  c->title = n.title;
  c->access = n.access;
  c->origin = n.origin;
  // ACLs and Permanent are not copied: the copy inherits its new parent's
  // rights and is a dynamic node [R: DM 1.2 Copy semantics not in dm.md].
  for (const auto& ch : n.children) c->children.push_back(Clone(*ch));
  return c;
}

std::size_t CountNodes(const Node& n) {
  std::size_t k = 1;
  for (const auto& c : n.children) k += CountNodes(*c);
  return k;
}

// Every descendant of a node about to be placed at a URI of `depth`
// segments and `len` characters must stay addressable within the limits
// (Copy of a subtree or rename could otherwise create nodes no URI can
// reach, which then can never be deleted).
std::string SubtreeLimitProblem(const Node& n, std::size_t depth,
                                std::size_t len, const UriLimits& l) {
  for (const auto& c : n.children) {
    std::size_t d = depth + 1, k = len + 1 + c->name.size();
    if (l.max_depth && d > l.max_depth)
      return "a descendant would be " + std::to_string(d) +
             " deep, MaxDepth is " + std::to_string(l.max_depth);
    if (l.max_tot_len && k > l.max_tot_len)
      return "a descendant's URI would be " + std::to_string(k) +
             " characters, MaxTotLen is " + std::to_string(l.max_tot_len);
    if (l.max_seg_len && c->name.size() > l.max_seg_len)
      return "a descendant's name exceeds MaxSegLen " +
             std::to_string(l.max_seg_len);
    if (auto p = SubtreeLimitProblem(*c, d, k, l); !p.empty()) return p;
  }
  return {};
}

bool AnyPermanent(const Node& n) {
  if (n.permanent) return true;
  return std::any_of(n.children.begin(), n.children.end(),
                     [](const auto& c) { return AnyPermanent(*c); });
}

// A faithful copy (every property), for the subtree-backend snapshot.
std::unique_ptr<Node> Snapshot(const Node& n) {
  auto c = std::make_unique<Node>();
  c->name = n.name;
  c->format = n.format;
  c->type = n.type;
  c->value = n.value;
  c->acl = n.acl;
  c->title = n.title;
  c->tstamp = n.tstamp;
  c->ver_no = n.ver_no;
  c->permanent = n.permanent;
  c->access = n.access;
  c->origin = n.origin;
  for (const auto& ch : n.children) c->children.push_back(Snapshot(*ch));
  return c;
}

bool IsPrefix(const std::vector<std::string>& a,
              const std::vector<std::string>& b) {  // a is a prefix of b
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Segment validity shared by URIs and the Name property.
std::string SegmentProblem(std::string_view s) {
  if (s.empty()) return "empty segment";
  if (s == "." || s == "..") return "segment " + Quote(s) + " not allowed";
  if (s.find('\0') != std::string_view::npos) return "NUL in segment";
  return {};
}

}  // namespace

// --- Format ------------------------------------------------------------------

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kB64:
      return "b64";
    case Format::kBin:
      return "bin";
    case Format::kBool:
      return "bool";
    case Format::kChr:
      return "chr";
    case Format::kInt:
      return "int";
    case Format::kNode:
      return "node";
    case Format::kNull:
      return "null";
    case Format::kXml:
      return "xml";
    case Format::kDate:
      return "date";
    case Format::kTime:
      return "time";
    case Format::kFloat:
      return "float";
  }
  return "?";
}

std::optional<Format> FormatFromName(std::string_view n) {
  for (int i = 0; i <= static_cast<int>(Format::kFloat); ++i) {
    auto f = static_cast<Format>(i);
    if (FormatName(f) == n) return f;
  }
  return std::nullopt;
}

bool ValueMatchesFormat(Format f, std::string_view v) {
  switch (f) {
    case Format::kChr:
    case Format::kBin:
      return true;
    case Format::kNode:
    case Format::kNull:
      return v.empty();
    case Format::kBool:
      return v == "true" || v == "false";
    case Format::kInt: {
      std::string_view d = v;
      if (!d.empty() && (d[0] == '-' || d[0] == '+')) d.remove_prefix(1);
      if (!IsDigits(d)) return false;
      std::int64_t x = 0;
      auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), x);
      return ec == std::errc() && x <= 2147483648LL;
    }
    case Format::kFloat: {
      std::size_t i = 0;
      if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
      std::size_t digits = 0;
      while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])))
        ++i, ++digits;
      if (i < v.size() && v[i] == '.') {
        ++i;
        while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])))
          ++i, ++digits;
      }
      if (digits == 0) return false;
      if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
        ++i;
        if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
        std::size_t e = 0;
        while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])))
          ++i, ++e;
        if (e == 0) return false;
      }
      return i == v.size();
    }
    case Format::kDate: {  // YYYY-MM-DD [R]
      if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
      if (!IsDigits(v.substr(0, 4)) || !IsDigits(v.substr(5, 2)) ||
          !IsDigits(v.substr(8, 2)))
        return false;
      int m = (v[5] - '0') * 10 + (v[6] - '0');
      int d = (v[8] - '0') * 10 + (v[9] - '0');
      return m >= 1 && m <= 12 && d >= 1 && d <= 31;
    }
    case Format::kTime: {  // hh:mm:ss[.f+][Z] [R]
      if (v.size() < 8 || v[2] != ':' || v[5] != ':') return false;
      if (!IsDigits(v.substr(0, 2)) || !IsDigits(v.substr(3, 2)) ||
          !IsDigits(v.substr(6, 2)))
        return false;
      int h = (v[0] - '0') * 10 + (v[1] - '0');
      int m = (v[3] - '0') * 10 + (v[4] - '0');
      int s = (v[6] - '0') * 10 + (v[7] - '0');
      if (h > 23 || m > 59 || s > 60) return false;
      std::string_view rest = v.substr(8);
      if (!rest.empty() && rest[0] == '.') {
        std::size_t k = 1;
        while (k < rest.size() &&
               std::isdigit(static_cast<unsigned char>(rest[k])))
          ++k;
        if (k == 1) return false;
        rest.remove_prefix(k);
      }
      return rest.empty() || rest == "Z";
    }
    case Format::kB64:
      return codec::Base64Decode(v).ok();
    case Format::kXml:
      return codec::ParseXml(v, "xml value").ok();
  }
  return false;
}

// --- ACL
// -----------------------------------------------------------------------

std::string_view AclCommandName(AclCommand c) {
  switch (c) {
    case AclCommand::kAdd:
      return "Add";
    case AclCommand::kDelete:
      return "Delete";
    case AclCommand::kExec:
      return "Exec";
    case AclCommand::kGet:
      return "Get";
    case AclCommand::kReplace:
      return "Replace";
  }
  return "?";
}

std::optional<AclCommand> AclCommandFromName(std::string_view n) {
  for (auto c : {AclCommand::kAdd, AclCommand::kDelete, AclCommand::kExec,
                 AclCommand::kGet, AclCommand::kReplace})
    if (AclCommandName(c) == n) return c;
  return std::nullopt;
}

codec::Result<Acl> Acl::Parse(std::string_view text) {
  Acl acl;
  if (text.empty()) return acl;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t amp = text.find('&', pos);
    std::string_view entry =
        text.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos)
      return codec::Error("ACL entry " + Quote(entry) + " has no '='", pos,
                          kRuleAcl);
    auto cmd = AclCommandFromName(entry.substr(0, eq));
    if (!cmd)
      return codec::Error("ACL command " + Quote(entry.substr(0, eq)) +
                              " is not Add, Delete, Exec, Get or Replace",
                          pos, kRuleAcl);
    std::string_view servers = entry.substr(eq + 1);
    std::size_t sp = 0;
    while (sp <= servers.size()) {
      std::size_t plus = servers.find('+', sp);
      std::string_view id =
          servers.substr(sp, plus == std::string_view::npos ? plus : plus - sp);
      std::size_t off = pos + eq + 1 + sp;
      if (id.empty())
        return codec::Error("empty server id in ACL entry " + Quote(entry), off,
                            kRuleAcl);
      for (std::size_t i = 0; i < id.size(); ++i) {
        unsigned char u = static_cast<unsigned char>(id[i]);
        if (u <= 0x20 || u >= 0x7f || u == '=')
          return codec::Error("character " + Quote(id.substr(i, 1)) +
                                  " not allowed in an ACL server id",
                              off + i, kRuleAcl);
      }
      acl.Grant(*cmd, std::string(id));
      if (plus == std::string_view::npos) break;
      sp = plus + 1;
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return acl;
}

std::string Acl::ToString() const {
  std::string out;
  for (const auto& [cmd, ids] : entries_) {
    if (!out.empty()) out += '&';
    out += AclCommandName(cmd);
    out += '=';
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i) out += '+';
      out += ids[i];
    }
  }
  return out;
}

bool Acl::Allows(AclCommand c, std::string_view server_id) const {
  auto it = entries_.find(c);
  if (it == entries_.end()) return false;
  return std::any_of(
      it->second.begin(), it->second.end(), [&](const std::string& s) {
        return s == "*" || (!server_id.empty() && s == server_id);
      });
}

void Acl::Grant(AclCommand c, std::string server_id) {
  auto& ids = entries_[c];
  if (std::find(ids.begin(), ids.end(), server_id) == ids.end())
    ids.push_back(std::move(server_id));
}

// --- URI ---------------------------------------------------------------------

std::string ParsedUri::Path() const {
  return UriOf(segments, segments.size(), escaped);
}

std::string JoinUri(std::string_view parent, std::string_view child) {
  std::string u(parent.empty() ? "." : parent);
  return u + "/" + std::string(child);
}

std::string_view SubtreeWriteKindName(SubtreeWrite::Kind k) {
  switch (k) {
    case SubtreeWrite::Kind::kAdd:
      return "Add";
    case SubtreeWrite::Kind::kReplace:
      return "Replace";
    case SubtreeWrite::Kind::kDelete:
      return "Delete";
    case SubtreeWrite::Kind::kCopy:
      return "Copy";
    case SubtreeWrite::Kind::kTnds:
      return "TNDS";
    case SubtreeWrite::Kind::kDeviceAdd:
      return "DeviceAdd";
    case SubtreeWrite::Kind::kDeviceSet:
      return "DeviceSet";
  }
  return "?";
}

OpResult ParseUri(std::string_view uri, const UriLimits& limits,
                  const UriOptions& options, ParsedUri* out) {
  *out = ParsedUri{};
  std::size_t q = uri.find('?');
  std::string_view path = uri.substr(0, q);
  out->escaped = options.percent_decode;
  if (q != std::string_view::npos) out->query = std::string(uri.substr(q + 1));
  if (path.empty())
    return Fail(status::kBadRequest,
                std::string("empty URI [") + kRuleUri + "]");
  if (limits.max_tot_len && path.size() > limits.max_tot_len)
    return Fail(status::kUriTooLong, "URI is " + std::to_string(path.size()) +
                                         " characters, MaxTotLen is " +
                                         std::to_string(limits.max_tot_len) +
                                         " [" + kRuleLimits + "]");
  std::string_view rest;
  if (path == ".") return Ok();
  if (path.substr(0, 2) == "./") {
    rest = path.substr(2);
  } else if (options.allow_relative && path[0] != '/' && path[0] != '.') {
    rest = path;
  } else if (options.allow_relative && path[0] == '.' && path.size() > 1 &&
             path[1] != '.' && path[1] != '/') {
    rest = path;  // a relative URI whose first name starts with '.'
  } else {
    return Fail(status::kBadRequest, "URI " + Quote(path) +
                                         " does not start with \"./\" [" +
                                         kRuleUri + "]");
  }
  std::size_t pos = 0;
  while (true) {
    std::size_t slash = rest.find('/', pos);
    std::string_view raw =
        rest.substr(pos, slash == std::string_view::npos ? slash : slash - pos);
    std::string seg;
    if (options.percent_decode) {
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '%') {
          seg += raw[i];
          continue;
        }
        int hi = i + 2 < raw.size() ? HexVal(raw[i + 1]) : -1;
        int lo = i + 2 < raw.size() ? HexVal(raw[i + 2]) : -1;
        if (hi < 0 || lo < 0)
          return Fail(
              status::kBadRequest,
              "bad %-escape in segment " + Quote(raw) + " [" + kRuleUri + "]");
        seg += static_cast<char>(hi * 16 + lo);
        i += 2;
      }
    } else {
      seg = std::string(raw);
    }
    if (auto p = SegmentProblem(seg); !p.empty())
      return Fail(status::kBadRequest,
                  p + " in URI " + Quote(path) + " [" + kRuleUri + "]");
    if (limits.max_seg_len && raw.size() > limits.max_seg_len)
      return Fail(status::kUriTooLong, "segment " + Quote(raw) + " is " +
                                           std::to_string(raw.size()) +
                                           " characters, MaxSegLen is " +
                                           std::to_string(limits.max_seg_len) +
                                           " [" + kRuleLimits + "]");
    out->segments.push_back(std::move(seg));
    if (limits.max_depth && out->segments.size() > limits.max_depth)
      return Fail(status::kUriTooLong, "URI depth exceeds MaxDepth " +
                                           std::to_string(limits.max_depth) +
                                           " [" + kRuleLimits + "]");
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return Ok();
}

// --- Node / Tree
// ---------------------------------------------------------------

Node* Node::Child(std::string_view n) const {
  for (const auto& c : children)
    if (c->name == n) return c.get();
  return nullptr;
}

Tree::Tree(TreeOptions options) : options_(std::move(options)) {
  root_ = std::make_unique<Node>();
  root_->name = ".";
  root_->permanent = true;
  auto acl = Acl::Parse(options_.root_acl);
  if (acl.ok()) root_->acl = *acl;
  root_->tstamp = Now();
}

std::int64_t Tree::Now() {
  if (options_.clock) return options_.clock();
  return ++counter_;
}

void Tree::Touch(Node& n) {
  n.tstamp = Now();
  ++n.ver_no;
}

Node* Tree::Walk(const std::vector<std::string>& segs) const {
  Node* n = root_.get();
  for (const auto& s : segs) {
    n = n->Child(s);
    if (!n) return nullptr;
  }
  return n;
}

OpResult Tree::Resolve(std::string_view uri, ParsedUri* p) const {
  return ParseUri(uri, options_.limits, options_.uri, p);
}

const Node* Tree::Find(std::string_view uri) const {
  ParsedUri p;
  if (!Resolve(uri, &p).ok()) return nullptr;
  return Walk(p.segments);
}

Node* Tree::FindMutable(std::string_view uri) {
  ParsedUri p;
  if (!Resolve(uri, &p).ok()) return nullptr;
  return Walk(p.segments);
}

Acl Tree::EffectiveAcl(std::string_view uri) const {
  ParsedUri p;
  if (!Resolve(uri, &p).ok()) return root_->acl;
  const Node* n = root_.get();
  Acl acl = n->acl;
  for (const auto& s : p.segments) {
    n = n->Child(s);
    if (!n) break;
    if (!n->acl.empty()) acl = n->acl;
  }
  return acl;
}

void Tree::SetSubtreeBackend(std::string_view prefix, SubtreeBackend* b) {
  ParsedUri p;
  if (!Resolve(prefix, &p).ok()) return;
  std::erase_if(backends_,
                [&](const auto& e) { return e.first == p.segments; });
  if (b) backends_.emplace_back(p.segments, b);
}

void Tree::NotifyRestored() {
  node_count_ = CountNodes(*root_);
  for (auto& [segs, b] : backends_) b->TreeRestored(*this);
}

SubtreeBackend* Tree::BackendFor(std::string_view uri, SubtreeWrite::Kind kind,
                                 bool always) const {
  if (guard_depth_ > 0 || backends_.empty()) return nullptr;
  if (always) return backends_.front().second;
  ParsedUri p;
  if (!Resolve(uri, &p).ok()) return nullptr;
  for (const auto& [segs, b] : backends_) {
    if (IsPrefix(segs, p.segments)) return b;
    // Deleting an ancestor would delete the mounted subtree too.
    if (kind == SubtreeWrite::Kind::kDelete && IsPrefix(p.segments, segs))
      return b;
  }
  return nullptr;
}

OpResult Tree::Guarded(SubtreeBackend& b, SubtreeWrite w,
                       const std::function<OpResult()>& op) {
  if (OpResult pre = b.BeforeWrite(*this, w); !pre.ok()) return pre;
  ++guard_depth_;
  std::unique_ptr<Node> snapshot = Snapshot(*root_);
  const std::size_t count = node_count_;
  OpResult r = op();
  if (r.ok()) {
    // Every backend sees the write (AddTnds/Copy may touch several).
    for (auto& [segs, be] : backends_) {
      OpResult c = be->CommitWrite(*this, w);
      if (!c.ok()) {
        r = std::move(c);
        break;
      }
    }
  }
  if (!r.ok()) {
    root_ = std::move(snapshot);
    node_count_ = count;
  }
  --guard_depth_;
  return r;
}

OpResult Tree::CheckAcl(const Caller& c, const std::vector<std::string>& segs,
                        AclCommand cmd, const char* what) const {
  if (c.device) return Ok();
  // The nearest node on the path (existing prefix) with a non-empty ACL
  // decides (DM_TND inheritance [R]).
  const Node* n = root_.get();
  const Acl* acl = &n->acl;
  std::size_t from = 0;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    n = n->Child(segs[i]);
    if (!n) break;
    if (!n->acl.empty()) {
      acl = &n->acl;
      from = i + 1;
    }
  }
  if (acl->Allows(cmd, c.server_id)) return Ok();
  std::string target = UriOf(segs, segs.size());
  std::string origin = UriOf(segs, from);
  return Fail(status::kPermissionDenied,
              std::string(what) + " on " + target + ": ACL " +
                  Quote(acl->ToString()) +
                  (origin == target ? std::string()
                                    : " (inherited from " + origin + ")") +
                  " does not grant " + std::string(AclCommandName(cmd)) +
                  " to server " + Quote(c.server_id) + " [" + kRuleAcl + "]");
}

OpResult Tree::CheckAccess(const Caller& c, const Node& n, AccessBits bit,
                           const char* what) const {
  if (c.device || (n.access & bit)) return Ok();
  return Fail(status::kNotAllowed, std::string(what) + " is not in node " +
                                       Quote(n.name) + "'s AccessType [" +
                                       kRuleAccess + "]");
}

OpResult Tree::CreateNode(const Caller& c, const ParsedUri& p,
                          std::unique_ptr<Node> node) {
  const auto& segs = p.segments;
  if (segs.empty())
    return Fail(status::kAlreadyExists, "the root always exists");
  // Deepest existing ancestor.
  Node* parent = root_.get();
  std::size_t depth = 0;
  while (depth + 1 < segs.size()) {
    Node* next = parent->Child(segs[depth]);
    if (!next) break;
    parent = next;
    ++depth;
  }
  if (depth + 1 == segs.size() && parent->Child(segs.back()))
    return Fail(status::kAlreadyExists,
                p.Path() + " already exists [dm.md §3.5 418]");
  std::string parent_uri = UriOf(segs, depth);
  if (!parent->interior())
    return Fail(status::kNotAllowed, "cannot add below leaf " + parent_uri +
                                         " [DM_TND: leaves "
                                         "have no children]");
  bool missing_parents = depth + 1 < segs.size();
  if (missing_parents && !c.device && !options_.auto_create_parents)
    return Fail(status::kNotFound,
                "parent " + UriOf(segs, segs.size() - 1) +
                    " does not exist (auto_create_parents off)");
  std::vector<std::string> parent_segs(segs.begin(), segs.begin() + depth);
  if (auto r = CheckAcl(c, parent_segs, AclCommand::kAdd, "Add"); !r.ok())
    return r;
  if (auto r = CheckAccess(c, *parent, kAccessAdd, "Add below it"); !r.ok())
    return r;
  if (auto pr = SubtreeLimitProblem(*node, segs.size(), p.Path().size(),
                                    options_.limits);
      !pr.empty())
    return Fail(status::kUriTooLong, pr + " [" + kRuleLimits + "]");
  std::size_t added = (segs.size() - depth - 1) + CountNodes(*node);
  if (options_.max_nodes && node_count_ + added > options_.max_nodes)
    return Fail(status::kDeviceFull,
                "tree holds " + std::to_string(node_count_) + " nodes, limit " +
                    std::to_string(options_.max_nodes) + " [dm.md §3.5 420]");
  for (std::size_t i = depth; i + 1 < segs.size(); ++i) {
    auto mid = std::make_unique<Node>();
    mid->name = segs[i];
    mid->origin = node->origin;
    mid->tstamp = Now();
    Node* raw = mid.get();
    parent->children.push_back(std::move(mid));
    Touch(*parent);
    parent = raw;
  }
  node->name = segs.back();
  std::function<void(Node&)> stamp = [&](Node& n) {
    n.tstamp = Now();
    for (auto& ch : n.children) stamp(*ch);
  };
  stamp(*node);
  parent->children.push_back(std::move(node));
  Touch(*parent);
  node_count_ += added;
  return Ok(options_.add_success_code,
            missing_parents ? "added with interior parents created from " +
                                  parent_uri + " (DM 1.2 implicit Add [R])"
                            : "added");
}

OpResult Tree::Add(const Caller& c, std::string_view uri,
                   const Content& content) {
  if (auto* b = BackendFor(uri, SubtreeWrite::Kind::kAdd, false))
    return Guarded(*b, {SubtreeWrite::Kind::kAdd, std::string(uri), c},
                   [&] { return Add(c, uri, content); });
  ParsedUri p;
  if (auto r = Resolve(uri, &p); !r.ok()) return r;
  if (!p.query.empty())
    return Fail(status::kOptionalNotSupported,
                "Add takes no query (" + Quote(p.query) + ")");
  std::string path = p.Path();
  if (auto h = add_handlers_.find(path); h != add_handlers_.end()) {
    if (auto r = CheckAcl(c, p.segments, AclCommand::kAdd, "Add"); !r.ok())
      return r;
    return h->second(c, path, content);
  }
  if (!content.format_text.empty() && !FormatFromName(content.format_text))
    return Fail(status::kUnsupportedFormat,
                "Format " + Quote(content.format_text) +
                    " is not a DM_TND format [dm.md §3.5 415]");
  Format f = content.format ? *content.format
             : content.format_text.empty()
                 ? Format::kChr
                 : *FormatFromName(content.format_text);
  auto node = std::make_unique<Node>();
  node->format = f;
  node->type = content.type;
  node->origin = content.origin;
  if (f != Format::kNode) {
    if (!ValueMatchesFormat(f, content.data))
      return Fail(status::kUnsupportedFormat,
                  "value " + Quote(content.data) + " is not a valid " +
                      std::string(FormatName(f)) + " [dm.md §3.5 415]");
    node->value = content.data;
  }
  return CreateNode(c, p, std::move(node));
}

OpResult Tree::Replace(const Caller& c, std::string_view uri,
                       const Content& content) {
  if (auto* b = BackendFor(uri, SubtreeWrite::Kind::kReplace, false))
    return Guarded(*b, {SubtreeWrite::Kind::kReplace, std::string(uri), c},
                   [&] { return Replace(c, uri, content); });
  ParsedUri p;
  if (auto r = Resolve(uri, &p); !r.ok()) return r;
  Node* n = Walk(p.segments);
  if (!n) return Fail(status::kNotFound, p.Path() + " does not exist");
  if (p.query.rfind("prop=", 0) == 0)
    return ReplaceProperty(c, p, *n, p.query.substr(5), content);
  if (!p.query.empty())
    return Fail(status::kOptionalNotSupported,
                "Replace query " + Quote(p.query) + " not supported");
  if (n->interior())
    return Fail(status::kNotAllowed,
                "Replace of interior node " + p.Path() +
                    " (only its properties can be replaced) [DM_TND [R]]");
  if (auto r = CheckAcl(c, p.segments, AclCommand::kReplace, "Replace");
      !r.ok())
    return r;
  if (auto r = CheckAccess(c, *n, kAccessReplace, "Replace"); !r.ok()) return r;
  Format f = n->format;
  if (!content.format_text.empty()) {
    auto g = FormatFromName(content.format_text);
    if (!g)
      return Fail(status::kUnsupportedFormat,
                  "Format " + Quote(content.format_text) +
                      " is not a DM_TND format [dm.md §3.5 415]");
    f = *g;
  } else if (content.format) {
    f = *content.format;
  }
  if (f == Format::kNode)
    return Fail(status::kUnsupportedFormat,
                "a leaf cannot be replaced with Format node");
  if (!ValueMatchesFormat(f, content.data))
    return Fail(status::kUnsupportedFormat,
                "value " + Quote(content.data) + " is not a valid " +
                    std::string(FormatName(f)) + " [dm.md §3.5 415]");
  n->format = f;
  n->value = content.data;
  if (!content.type.empty()) n->type = content.type;
  Touch(*n);
  return Ok(status::kOk, "replaced");
}

OpResult Tree::ReplaceProperty(const Caller& c, const ParsedUri& p, Node& n,
                               const std::string& prop,
                               const Content& content) {
  if (prop == "ACL") {
    // Who may change an ACL [R]: leaf -> Replace on the parent; interior ->
    // Replace on the node (option leaf_acl_change_needs_parent_replace).
    std::vector<std::string> who = p.segments;
    if (!n.interior() && options_.leaf_acl_change_needs_parent_replace &&
        !who.empty())
      who.pop_back();
    if (auto r = CheckAcl(c, who, AclCommand::kReplace, "Replace of ACL");
        !r.ok())
      return r;
    auto acl = Acl::Parse(content.data);
    if (!acl.ok())
      return Fail(status::kBadRequest,
                  "malformed ACL: " + acl.error().ToString());
    if (p.segments.empty() && acl->empty() && !options_.root_acl_may_be_empty)
      return Fail(status::kNotAllowed,
                  "the root's ACL may not be empty [DM_TND [R], option "
                  "root_acl_may_be_empty]");
    n.acl = *acl;
    Touch(n);
    return Ok(status::kOk, "ACL replaced");
  }
  if (prop == "Name" || prop == "Title") {
    if (auto r =
            CheckAcl(c, p.segments, AclCommand::kReplace,
                     prop == "Name" ? "Replace of Name" : "Replace of Title");
        !r.ok())
      return r;
    if (prop == "Title") {
      n.title = content.data;
      Touch(n);
      return Ok(status::kOk, "Title replaced");
    }
    if (p.segments.empty() || n.permanent)
      return Fail(status::kNotAllowed,
                  p.Path() + " is permanent and cannot be renamed");
    if (auto pr = SegmentProblem(content.data);
        !pr.empty() || (!options_.uri.percent_decode &&
                        content.data.find_first_of("/?") != std::string::npos))
      return Fail(status::kBadRequest, "new Name " + Quote(content.data) +
                                           " is not a valid segment");
    if (options_.limits.max_seg_len &&
        content.data.size() > options_.limits.max_seg_len)
      return Fail(
          status::kUriTooLong,
          std::string("new Name exceeds MaxSegLen [") + kRuleLimits + "]");
    std::vector<std::string> parent_segs(p.segments.begin(),
                                         p.segments.end() - 1);
    Node* parent = Walk(parent_segs);
    if (parent->Child(content.data) && content.data != n.name)
      return Fail(
          status::kAlreadyExists,
          JoinUri(UriOf(parent_segs, parent_segs.size()), content.data) +
              " already exists");
    std::string new_uri = JoinUri(
        UriOf(parent_segs, parent_segs.size(), options_.uri.percent_decode),
        EscapeSegment(content.data, options_.uri.percent_decode));
    if (options_.limits.max_tot_len &&
        new_uri.size() > options_.limits.max_tot_len)
      return Fail(status::kUriTooLong,
                  std::string("new Name makes the URI exceed MaxTotLen [") +
                      kRuleLimits + "]");
    if (auto pr = SubtreeLimitProblem(n, p.segments.size(), new_uri.size(),
                                      options_.limits);
        !pr.empty())
      return Fail(status::kUriTooLong, pr + " [" + kRuleLimits + "]");
    n.name = content.data;
    Touch(n);
    return Ok(status::kOk, "renamed");
  }
  if (prop == "Format" || prop == "Type" || prop == "Size" ||
      prop == "TStamp" || prop == "VerNo")
    return Fail(status::kNotAllowed,
                "property " + prop + " cannot be replaced [DM_TND [R]]");
  return Fail(status::kOptionalNotSupported, "unknown property " + Quote(prop));
}

OpResult Tree::Get(const Caller& c, std::string_view uri) {
  ParsedUri p;
  if (auto r = Resolve(uri, &p); !r.ok()) return r;
  for (auto& [segs, be] : backends_)
    if (guard_depth_ == 0 && IsPrefix(segs, p.segments))
      if (auto r = be->BeforeRead(*this, c, uri); !r.ok()) return r;
  const Node* n = Walk(p.segments);
  if (!n) return Fail(status::kNotFound, p.Path() + " does not exist");
  if (p.query.rfind("list=", 0) == 0)
    return GetList(c, p, *n, std::string_view(p.query).substr(5));
  if (p.query.rfind("prop=", 0) == 0)
    return GetProperty(c, p, *n, std::string_view(p.query).substr(5));
  if (!p.query.empty())
    return Fail(status::kOptionalNotSupported,
                "Get query " + Quote(p.query) + " not supported");
  if (auto r = CheckAcl(c, p.segments, AclCommand::kGet, "Get"); !r.ok())
    return r;
  if (auto r = CheckAccess(c, *n, kAccessGet, "Get"); !r.ok()) return r;
  GetItem item{p.Path(), std::string(FormatName(n->format)), n->type, {}};
  if (n->interior()) {
    // Interior Get: child names separated by '/' (DM_TND [R]).
    for (const auto& ch : n->children) {
      if (!item.data.empty()) item.data += '/';
      item.data += ch->name;
    }
  } else {
    item.data = LeafData(*n);
    if (n->format == Format::kBin) item.format = "b64";
  }
  OpResult r = Ok();
  r.items.push_back(std::move(item));
  return r;
}

OpResult Tree::GetProperty(const Caller& c, const ParsedUri& p, const Node& n,
                           std::string_view prop) {
  if (auto r = CheckAcl(c, p.segments, AclCommand::kGet, "Get of property");
      !r.ok())
    return r;
  GetItem item{p.Path() + "?prop=" + std::string(prop), "chr", "", {}};
  if (prop == "ACL") {
    item.data = n.acl.ToString();
  } else if (prop == "Format") {
    item.data = FormatName(n.format);
  } else if (prop == "Type") {
    item.data = n.type;
  } else if (prop == "Size") {
    if (n.interior())
      return Fail(status::kOptionalNotSupported,
                  "Size is not defined for interior nodes [DM_TND [R]]");
    item.data = std::to_string(n.value.size());
    item.format = "int";
  } else if (prop == "Name") {
    item.data = n.name;
  } else if (prop == "Title") {
    item.data = n.title;
  } else if (prop == "TStamp") {
    item.data = FormatTStamp(n.tstamp);
  } else if (prop == "VerNo") {
    item.data = std::to_string(n.ver_no);
    item.format = "int";
  } else {
    return Fail(status::kOptionalNotSupported,
                "unknown property " + Quote(prop));
  }
  OpResult r = Ok();
  r.items.push_back(std::move(item));
  return r;
}

namespace {

struct TndsWriter {
  const Tree::TndsProps& props;
  std::function<bool(const Node&, const std::string&)> visible;
  std::function<bool(const Node&)> value_visible;
  bool esc = false;  // percent-escape names in the URIs handed to visible()

  void AddNode(xmlNode* parent, const Node& n, const std::string& uri,
               const std::string* path) {
    xmlNode* x = xmlNewChild(parent, nullptr, BAD_CAST "Node", nullptr);
    xmlNewTextChild(x, nullptr, BAD_CAST "NodeName", BAD_CAST n.name.c_str());
    if (path)
      xmlNewTextChild(x, nullptr, BAD_CAST "Path", BAD_CAST path->c_str());
    bool any = props.acl || props.format || props.size || props.title ||
               props.tstamp || props.type || props.ver_no;
    if (any) {
      // RTProperties children in DM_DDF DTD order: ACL, Format, Name, Size,
      // Title, TStamp, Type, VerNo [R: order from DM_TND 1.2 DTD].
      xmlNode* rt = xmlNewChild(x, nullptr, BAD_CAST "RTProperties", nullptr);
      if (props.acl)
        xmlNewTextChild(rt, nullptr, BAD_CAST "ACL",
                        BAD_CAST n.acl.ToString().c_str());
      if (props.format) {
        xmlNode* f = xmlNewChild(rt, nullptr, BAD_CAST "Format", nullptr);
        std::string fn(FormatName(n.format));
        xmlNewChild(f, nullptr, BAD_CAST fn.c_str(), nullptr);
      }
      if (props.size && !n.interior())
        xmlNewTextChild(rt, nullptr, BAD_CAST "Size",
                        BAD_CAST std::to_string(n.value.size()).c_str());
      if (props.title && !n.title.empty())
        xmlNewTextChild(rt, nullptr, BAD_CAST "Title",
                        BAD_CAST n.title.c_str());
      if (props.tstamp)
        xmlNewTextChild(rt, nullptr, BAD_CAST "TStamp",
                        BAD_CAST FormatTStamp(n.tstamp).c_str());
      if (props.type && !n.type.empty()) {
        xmlNode* t = xmlNewChild(rt, nullptr, BAD_CAST "Type", nullptr);
        xmlNewTextChild(t, nullptr, BAD_CAST(n.interior() ? "DDFName" : "MIME"),
                        BAD_CAST n.type.c_str());
      }
      if (props.ver_no)
        xmlNewTextChild(rt, nullptr, BAD_CAST "VerNo",
                        BAD_CAST std::to_string(n.ver_no).c_str());
    }
    if (props.value && !n.interior() && value_visible(n))
      xmlNewTextChild(x, nullptr, BAD_CAST "Value",
                      BAD_CAST LeafData(n).c_str());
    for (const auto& ch : n.children) {
      std::string cu = uri + "/" + EscapeSegment(ch->name, esc);
      if (visible(*ch, cu)) AddNode(x, *ch, cu, nullptr);
    }
  }
};

// Serialises a TNDS document; `visible` filters subtrees, `value_visible`
// values.
std::string WriteTnds(const Node& n, const std::string& uri, bool esc,
                      const Tree::TndsProps& props,
                      std::function<bool(const Node&, const std::string&)> vis,
                      std::function<bool(const Node&)> vvis) {
  codec::XmlDoc doc(xmlNewDoc(BAD_CAST "1.0"));
  xmlNode* root = xmlNewNode(nullptr, BAD_CAST "MgmtTree");
  xmlDocSetRootElement(doc.get(), root);
  xmlNs* ns = xmlNewNs(root, BAD_CAST "syncml:dmddf1.2", nullptr);
  xmlSetNs(root, ns);
  xmlNewTextChild(root, nullptr, BAD_CAST "VerDTD", BAD_CAST "1.2");
  TndsWriter w{props, std::move(vis), std::move(vvis), esc};
  if (uri == ".") {
    for (const auto& ch : n.children) {
      std::string cu = "./" + EscapeSegment(ch->name, esc);
      if (w.visible(*ch, cu)) w.AddNode(root, *ch, cu, nullptr);
    }
  } else {
    std::string parent = uri.substr(0, uri.rfind('/'));
    w.AddNode(root, n, uri, parent == "." ? nullptr : &parent);
  }
  return codec::SerializeXml(doc.get(), /*pretty=*/false,
                             /*declaration=*/false);
}

}  // namespace

OpResult Tree::GetList(const Caller& c, const ParsedUri& p, const Node& n,
                       std::string_view list) {
  const bool esc = options_.uri.percent_decode;
  if (auto r = CheckAcl(c, p.segments, AclCommand::kGet, "Get"); !r.ok())
    return r;
  // A node the server may not Get is left out with its subtree (DM_TND:
  // list results show what the server may see [R]).
  auto visible = [&](const Node&, const std::string& uri) {
    ParsedUri q;
    if (!Resolve(uri, &q).ok()) return false;
    return CheckAcl(c, q.segments, AclCommand::kGet, "Get").ok();
  };
  auto value_visible = [&](const Node& x) {
    return c.device || (x.access & kAccessGet);
  };
  OpResult r = Ok();
  std::string base = p.Path();
  if (list == "Struct" || list == "StructData") {
    bool data = list == "StructData";
    std::function<void(const Node&, const std::string&)> walk =
        [&](const Node& x, const std::string& uri) {
          GetItem it{uri, std::string(FormatName(x.format)), x.type, {}, false};
          if (data && !x.interior() && value_visible(x)) {
            it.data = LeafData(x);
            it.has_data = true;
            if (x.format == Format::kBin) it.format = "b64";
          }
          r.items.push_back(std::move(it));
          for (const auto& ch : x.children) {
            std::string cu = uri + "/" + EscapeSegment(ch->name, esc);
            if (visible(*ch, cu)) walk(*ch, cu);
          }
        };
    walk(n, base);
    r.reason = std::string("list=") + std::string(list) + ", " +
               std::to_string(r.items.size()) + " nodes";
    return r;
  }
  if (list.substr(0, 4) == "TNDS") {
    TndsProps props;
    std::string_view flags = list.substr(4);
    if (!flags.empty() && flags[0] != '+')
      return Fail(status::kOptionalNotSupported,
                  "list=" + Quote(list) + " not supported");
    while (!flags.empty()) {
      flags.remove_prefix(1);  // '+'
      std::size_t plus = flags.find('+');
      std::string_view f = flags.substr(0, plus);
      if (f == "ACL")
        props.acl = true;
      else if (f == "Format")
        props.format = true;
      else if (f == "Type")
        props.type = true;
      else if (f == "Size")
        props.size = true;
      else if (f == "Title")
        props.title = true;
      else if (f == "TStamp")
        props.tstamp = true;
      else if (f == "VerNo")
        props.ver_no = true;
      else if (f == "Value")
        props.value = true;
      else
        return Fail(status::kOptionalNotSupported,
                    "TNDS property " + Quote(f) + " not supported");
      flags = plus == std::string_view::npos ? std::string_view()
                                             : flags.substr(plus);
    }
    GetItem it{base, "xml", kTndsType,
               WriteTnds(n, base, esc, props, visible, value_visible)};
    r.items.push_back(std::move(it));
    r.reason = "list=TNDS";
    return r;
  }
  return Fail(status::kOptionalNotSupported,
              "list=" + Quote(list) +
                  " not supported (Struct, StructData, "
                  "TNDS)");
}

codec::Result<std::string> Tree::ToTnds(std::string_view uri,
                                        const TndsProps& props) const {
  ParsedUri p;
  if (auto r = Resolve(uri, &p); !r.ok())
    return codec::PathError(r.reason, std::string(uri), kRuleUri);
  const Node* n = Walk(p.segments);
  if (!n) return codec::PathError("no such node", std::string(uri), "DM_TND");
  return WriteTnds(
      *n, p.Path(), options_.uri.percent_decode, props,
      [](const Node&, const std::string&) { return true; },
      [](const Node&) { return true; });
}

OpResult Tree::Delete(const Caller& c, std::string_view uri) {
  if (auto* b = BackendFor(uri, SubtreeWrite::Kind::kDelete, false))
    return Guarded(*b, {SubtreeWrite::Kind::kDelete, std::string(uri), c},
                   [&] { return Delete(c, uri); });
  ParsedUri p;
  if (auto r = Resolve(uri, &p); !r.ok()) return r;
  if (!p.query.empty())
    return Fail(status::kOptionalNotSupported, "Delete takes no query");
  if (p.segments.empty())
    return Fail(status::kNotAllowed, "the root cannot be deleted");
  Node* n = Walk(p.segments);
  if (!n) return Fail(status::kNotFound, p.Path() + " does not exist");
  if (auto r = CheckAcl(c, p.segments, AclCommand::kDelete, "Delete"); !r.ok())
    return r;
  if (auto r = CheckAccess(c, *n, kAccessDelete, "Delete"); !r.ok()) return r;
  if (AnyPermanent(*n))
    return Fail(status::kNotAllowed,
                p.Path() +
                    " is or contains a permanent node [DDF Scope "
                    "Permanent]");
  std::vector<std::string> ps(p.segments.begin(), p.segments.end() - 1);
  Node* parent = Walk(ps);
  node_count_ -= CountNodes(*n);
  std::erase_if(parent->children,
                [&](const auto& ch) { return ch.get() == n; });
  Touch(*parent);
  return Ok(status::kOk, "deleted");
}

OpResult Tree::Copy(const Caller& c, std::string_view target,
                    std::string_view source) {
  if (auto* b = BackendFor(target, SubtreeWrite::Kind::kCopy, true))
    return Guarded(*b, {SubtreeWrite::Kind::kCopy, std::string(target), c},
                   [&] { return Copy(c, target, source); });
  for (auto& [segs, be] : backends_) {
    ParsedUri sp;
    if (Resolve(source, &sp).ok() && IsPrefix(segs, sp.segments))
      if (auto r = be->BeforeRead(*this, c, source); !r.ok()) return r;
  }
  ParsedUri ps, pt;
  if (auto r = Resolve(source, &ps); !r.ok()) return r;
  if (auto r = Resolve(target, &pt); !r.ok()) return r;
  if (!ps.query.empty() || !pt.query.empty())
    return Fail(status::kOptionalNotSupported, "Copy takes no query");
  const Node* s = Walk(ps.segments);
  if (!s) return Fail(status::kNotFound, ps.Path() + " does not exist");
  if (auto r = CheckAcl(c, ps.segments, AclCommand::kGet,
                        "Copy (Get of "
                        "source)");
      !r.ok())
    return r;
  if (auto r = CheckAccess(c, *s, kAccessCopy, "Copy"); !r.ok()) return r;
  if (Node* t = Walk(pt.segments)) {
    if (t->interior() || s->interior())
      return Fail(status::kAlreadyExists,
                  pt.Path() + " exists; only leaf-to-leaf Copy replaces");
    if (auto r = CheckAcl(c, pt.segments, AclCommand::kReplace, "Copy");
        !r.ok())
      return r;
    if (auto r = CheckAccess(c, *t, kAccessReplace, "Replace"); !r.ok())
      return r;
    t->value = s->value;
    t->format = s->format;
    t->type = s->type;
    Touch(*t);
    return Ok(status::kOk, "copied onto existing leaf");
  }
  auto copy = Clone(*s);  // snapshot first: target may lie inside source
  copy->origin.clear();
  return CreateNode(c, pt, std::move(copy));
}

OpResult Tree::Exec(const Caller& c, std::string_view uri, std::string data,
                    std::string correlator) {
  ParsedUri p;
  if (auto r = Resolve(uri, &p); !r.ok()) return r;
  if (!p.query.empty())
    return Fail(status::kOptionalNotSupported, "Exec takes no query");
  Node* n = Walk(p.segments);
  if (!n) return Fail(status::kNotFound, p.Path() + " does not exist");
  if (auto r = CheckAcl(c, p.segments, AclCommand::kExec, "Exec"); !r.ok())
    return r;
  if (auto r = CheckAccess(c, *n, kAccessExec, "Exec"); !r.ok()) return r;
  auto h = exec_.find(p.Path());
  if (h == exec_.end())
    return Fail(status::kNotAllowed,
                "no Exec handler for " + p.Path() + " (node not executable)");
  return h->second(
      ExecRequest{p.Path(), std::move(data), std::move(correlator), c});
}

void Tree::RegisterExec(std::string uri, ExecHandler h) {
  ParsedUri p;
  if (Resolve(uri, &p).ok()) uri = p.Path();
  exec_[uri] = std::move(h);
}

void Tree::RegisterAddHandler(std::string uri, AddHandler h) {
  ParsedUri p;
  if (Resolve(uri, &p).ok()) uri = p.Path();
  add_handlers_[uri] = std::move(h);
}

OpResult Tree::DeviceAdd(std::string_view uri, const NodeInit& init) {
  if (auto* b = BackendFor(uri, SubtreeWrite::Kind::kDeviceAdd, false))
    return Guarded(
        *b,
        {SubtreeWrite::Kind::kDeviceAdd, std::string(uri), Caller::Device()},
        [&] { return DeviceAdd(uri, init); });
  ParsedUri p;
  if (auto r = Resolve(uri, &p); !r.ok()) return r;
  auto acl = Acl::Parse(init.acl);
  if (!acl.ok())
    return Fail(status::kBadRequest, "ACL: " + acl.error().ToString());
  if (init.format != Format::kNode &&
      !ValueMatchesFormat(init.format, init.value))
    return Fail(status::kUnsupportedFormat,
                "value " + Quote(init.value) + " is not a valid " +
                    std::string(FormatName(init.format)));
  auto n = std::make_unique<Node>();
  n->format = init.format;
  n->type = init.type;
  n->value = init.format == Format::kNode ? std::string() : init.value;
  n->acl = *acl;
  n->title = init.title;
  n->permanent = init.permanent;
  n->access = init.access;
  n->origin = init.origin;
  return CreateNode(Caller::Device(), p, std::move(n));
}

OpResult Tree::DeviceSet(std::string_view uri, std::string value) {
  if (auto* b = BackendFor(uri, SubtreeWrite::Kind::kDeviceSet, false))
    return Guarded(
        *b,
        {SubtreeWrite::Kind::kDeviceSet, std::string(uri), Caller::Device()},
        [&] { return DeviceSet(uri, value); });
  Node* n = FindMutable(uri);
  if (!n) return Fail(status::kNotFound, std::string(uri) + " does not exist");
  if (n->interior()) return Fail(status::kNotAllowed, "interior node");
  if (!ValueMatchesFormat(n->format, value))
    return Fail(status::kUnsupportedFormat, "value does not match Format");
  n->value = std::move(value);
  Touch(*n);
  return Ok();
}

std::vector<std::string> Tree::UrisOfOrigin(std::string_view origin) const {
  const bool esc = options_.uri.percent_decode;
  std::vector<std::string> out;
  std::function<void(const Node&, const std::string&)> walk =
      [&](const Node& n, const std::string& uri) {
        for (const auto& ch : n.children) {
          std::string cu = uri + "/" + EscapeSegment(ch->name, esc);
          if (!origin.empty() && ch->origin == origin)
            out.push_back(cu);
          else
            walk(*ch, cu);
        }
      };
  walk(*root_, ".");
  return out;
}

OpResult Tree::AddTnds(const Caller& c, std::string_view tnds_xml,
                       std::string_view base, std::string_view origin) {
  if (auto* b = BackendFor(base, SubtreeWrite::Kind::kTnds, true))
    return Guarded(*b, {SubtreeWrite::Kind::kTnds, std::string(base), c},
                   [&] { return AddTnds(c, tnds_xml, base, origin); });
  auto doc = codec::ParseXml(tnds_xml, "TNDS");
  if (!doc.ok())
    return Fail(status::kBadRequest, "TNDS: " + doc.error().ToString());
  xmlNode* root = xmlDocGetRootElement(doc->get());
  if (!root || codec::NodeName(root) != "MgmtTree")
    return Fail(status::kBadRequest,
                "TNDS root is not MgmtTree [DM_TND 1.2, dm.md §3.9]");
  std::size_t created = 0;
  std::function<OpResult(xmlNode*, const std::string&, int)> apply =
      [&](xmlNode* x, const std::string& parent_uri, int depth) -> OpResult {
    if (depth > 64) return Fail(status::kUriTooLong, "TNDS nesting too deep");
    xmlNode* name_el = codec::FirstChildElement(x, "NodeName");
    if (!name_el)
      return Fail(status::kBadRequest,
                  "TNDS Node without NodeName at " + codec::NodePath(x));
    std::string name = codec::TrimXmlSpace(codec::NodeText(name_el));
    std::string parent = parent_uri;
    if (xmlNode* path_el = codec::FirstChildElement(x, "Path")) {
      std::string path = codec::TrimXmlSpace(codec::NodeText(path_el));
      if (path == "." || path.rfind("./", 0) == 0)
        parent = path;
      else if (!path.empty())
        parent = parent_uri + "/" + path;
    }
    std::string uri = JoinUri(parent, name);
    std::optional<Format> fmt;
    std::string type, acl_text, title;
    bool has_acl = false;
    if (xmlNode* rt = codec::FirstChildElement(x, "RTProperties")) {
      if (xmlNode* f = codec::FirstChildElement(rt, "Format")) {
        xmlNode* fe = codec::FirstChildElement(f);
        if (!fe)
          return Fail(status::kUnsupportedFormat, "empty Format in TNDS");
        fmt = FormatFromName(codec::NodeName(fe));
        if (!fmt)
          return Fail(status::kUnsupportedFormat,
                      "TNDS Format " + Quote(codec::NodeName(fe)));
      }
      if (xmlNode* t = codec::FirstChildElement(rt, "Type"))
        if (xmlNode* te = codec::FirstChildElement(t))
          type = codec::TrimXmlSpace(codec::NodeText(te));
      if (xmlNode* a = codec::FirstChildElement(rt, "ACL")) {
        acl_text = codec::TrimXmlSpace(codec::NodeText(a));
        has_acl = true;
      }
      if (xmlNode* t = codec::FirstChildElement(rt, "Title"))
        title = codec::NodeText(t);
    }
    xmlNode* value_el = codec::FirstChildElement(x, "Value");
    bool has_children = codec::FirstChildElement(x, "Node") != nullptr;
    if (!fmt) fmt = (value_el && !has_children) ? Format::kChr : Format::kNode;
    std::string value = value_el ? codec::NodeText(value_el) : std::string();
    if (*fmt == Format::kBin) {  // bin travels as base64 in XML [R]
      auto raw = codec::Base64Decode(value);
      if (!raw.ok())
        return Fail(status::kUnsupportedFormat, "bin Value is not base64");
      value = codec::AsString(*raw);
    }
    std::optional<Acl> acl;
    if (has_acl) {
      auto a = Acl::Parse(acl_text);
      if (!a.ok())
        return Fail(status::kBadRequest, "TNDS ACL: " + a.error().ToString());
      acl = *a;
    }
    Node* existing = FindMutable(uri);
    if (existing && !existing->interior() && *fmt != Format::kNode) {
      Content ct{fmt, "", type, value, {}};
      if (auto r = Replace(c, uri, ct); !r.ok()) return r;
    } else if (existing && existing->interior() && *fmt == Format::kNode) {
      // Merge into an existing interior node.
    } else {
      if (existing)
        return Fail(status::kAlreadyExists,
                    uri + " exists with another kind (leaf/interior)");
      Content ct{fmt, "", type, *fmt == Format::kNode ? std::string() : value,
                 std::string(origin)};
      if (auto r = Add(c, uri, ct); !r.ok()) return r;
      ++created;
      existing = FindMutable(uri);
      if (!existing)
        return Fail(status::kCommandFailed, uri + " vanished after Add");
    }
    if (acl) existing->acl = *acl;
    if (!title.empty()) existing->title = title;
    if (!type.empty()) existing->type = type;
    for (xmlNode* ch = codec::FirstChildElement(x, "Node"); ch;
         ch = codec::NextSiblingElement(ch, "Node"))
      if (auto r = apply(ch, uri, depth + 1); !r.ok()) return r;
    return Ok();
  };
  ParsedUri bp;
  if (auto r = Resolve(base, &bp); !r.ok()) return r;
  for (xmlNode* ch = codec::FirstChildElement(root, "Node"); ch;
       ch = codec::NextSiblingElement(ch, "Node"))
    if (auto r = apply(ch, bp.Path(), 0); !r.ok()) return r;
  return Ok(options_.add_success_code,
            "TNDS applied, " + std::to_string(created) + " nodes created");
}

nlohmann::json Tree::ToJson(bool redact_secrets) const {
  const bool esc = options_.uri.percent_decode;
  std::function<nlohmann::json(const Node&, const std::string&)> conv =
      [&](const Node& n, const std::string& uri) {
        nlohmann::json j;
        j["name"] = n.name;
        j["uri"] = uri;
        j["format"] = FormatName(n.format);
        if (!n.type.empty()) j["type"] = n.type;
        if (!n.acl.empty()) j["acl"] = n.acl.ToString();
        if (!n.title.empty()) j["title"] = n.title;
        if (n.permanent) j["permanent"] = true;
        if (!n.origin.empty()) j["origin"] = n.origin;
        if (!n.interior()) {
          bool secret = !(n.access & kAccessGet);
          j["value"] = secret && redact_secrets ? std::string("<redacted>")
                                                : LeafData(n);
        } else {
          j["children"] = nlohmann::json::array();
          for (const auto& ch : n.children)
            j["children"].push_back(
                conv(*ch, uri + "/" + EscapeSegment(ch->name, esc)));
        }
        return j;
      };
  return conv(*root_, ".");
}

std::string Tree::ToText() const {
  std::string out;
  auto line = [&](const Node& n) {
    std::string s = n.name;
    if (!n.interior()) s += " = " + Quote(LeafData(n));
    s += " (" + std::string(FormatName(n.format));
    if (!n.type.empty()) s += " " + n.type;
    s += ")";
    if (!n.acl.empty()) s += " [" + n.acl.ToString() + "]";
    if (n.permanent) s += " permanent";
    if (!n.origin.empty()) s += " origin=" + n.origin;
    return s;
  };
  out += line(*root_) + "\n";
  std::function<void(const Node&, const std::string&)> walk =
      [&](const Node& n, const std::string& prefix) {
        for (std::size_t i = 0; i < n.children.size(); ++i) {
          bool last = i + 1 == n.children.size();
          out +=
              prefix + (last ? "`-- " : "|-- ") + line(*n.children[i]) + "\n";
          walk(*n.children[i], prefix + (last ? "    " : "|   "));
        }
      };
  walk(*root_, "");
  return out;
}

}  // namespace omaiop::sim::handset::dm
