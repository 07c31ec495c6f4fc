// Fuzzes the DM tree with hostile URIs, ACL strings, TNDS and bootstrap
// documents. The input is a script of '\n'-separated lines, each an
// operation letter and tab-separated arguments:
//   A uri<TAB>format<TAB>data   Add        R uri<TAB>data   Replace
//   G uri  Get   D uri  Delete   E uri  Exec   C target<TAB>source  Copy
//   S id   act as server id      !      act as the device
//   L acl  parse an ACL          U uri  parse a URI (both option sets)
//   O origin  RemoveAccountsOfOrigin
//   T / I / B rest-of-input: AddTnds / Add to ./Inbox / ApplyBootstrapXml
// Invariants: nothing crashes; a parsed ACL re-parses from its canonical
// text to the same ACL; a parsed URI's Path() re-parses to the same
// segments; the tree's node count matches its nodes; dumps do not throw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/handset/dm/dm_bootstrap.h"
#include "sim/handset/dm/standard_objects.h"
#include "sim/handset/dm/tree.h"

namespace dm = omaiop::sim::handset::dm;

namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    std::size_t k = s.find(sep, pos);
    out.emplace_back(s.substr(pos, k == std::string_view::npos ? k : k - pos));
    if (k == std::string_view::npos) break;
    pos = k + 1;
  }
  return out;
}

std::size_t Count(const dm::Node& n) {
  std::size_t k = 1;
  for (const auto& c : n.children) k += Count(*c);
  return k;
}

void CheckAcl(std::string_view text) {
  auto a = dm::Acl::Parse(text);
  if (!a.ok()) return;
  auto b = dm::Acl::Parse(a->ToString());
  if (!b.ok() || !(*a == *b)) std::abort();
}

void CheckUri(std::string_view uri) {
  for (bool decode : {false, true}) {
    dm::UriOptions o;
    o.percent_decode = decode;
    dm::ParsedUri p;
    if (!dm::ParseUri(uri, {8, 64, 16}, o, &p).ok()) continue;
    dm::ParsedUri q;
    if (!dm::ParseUri(p.Path(), {}, o, &q).ok()) std::abort();
    if (q.segments != p.segments) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  dm::TreeOptions topt;
  topt.max_nodes = 2000;
  dm::Tree tree(topt);
  dm::DeviceConfig cfg;
  dm::DmAccountConfig acc;
  acc.server_id = "srvA";
  acc.addr = "https://a.example/dm";
  acc.origin = "card:1";
  acc.auths = {{"", "CLCRED", "DIGEST", "n", "s", "d"}};
  cfg.accounts = {acc};
  if (!dm::BuildStandardObjects(tree, cfg).ok()) std::abort();
  dm::InstallInbox(tree, "ota");
  tree.RegisterExec("./FUMO/Download", [](const dm::ExecRequest&) {
    return dm::OpResult{dm::status::kAccepted, "ok", {}};
  });
  dm::Caller caller = dm::Caller::Server("srvA");

  std::size_t pos = 0;
  int ops = 0;
  while (pos < in.size() && ops++ < 200) {
    std::size_t nl = in.find('\n', pos);
    std::string_view line =
        in.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    std::string_view rest =
        in.substr(pos + 1 > in.size() ? in.size() : pos + 1);
    pos = nl == std::string_view::npos ? in.size() : nl + 1;
    if (line.empty()) continue;
    char op = line[0];
    auto args = Split(line.substr(1), '\t');
    auto arg = [&](std::size_t i) {
      return i < args.size() ? args[i] : std::string();
    };
    switch (op) {
      case 'A':
        (void)tree.Add(caller, arg(0),
                       dm::Content{std::nullopt, arg(1), "", arg(2), ""});
        break;
      case 'R':
        (void)tree.Replace(caller, arg(0),
                           dm::Content{std::nullopt, "", "", arg(1), ""});
        break;
      case 'G': {
        auto r = tree.Get(caller, arg(0));
        for (const auto& it : r.items) (void)it.data.size();
        break;
      }
      case 'D':
        (void)tree.Delete(caller, arg(0));
        break;
      case 'E':
        (void)tree.Exec(caller, arg(0), arg(1), arg(2));
        break;
      case 'C':
        (void)tree.Copy(caller, arg(0), arg(1));
        break;
      case 'S':
        caller = dm::Caller::Server(arg(0));
        break;
      case '!':
        caller = dm::Caller::Device();
        break;
      case 'L':
        CheckAcl(line.substr(1));
        break;
      case 'U':
        CheckUri(line.substr(1));
        break;
      case 'O':
        (void)dm::RemoveAccountsOfOrigin(tree, arg(0));
        break;
      case 'T':
        (void)tree.AddTnds(caller, rest, ".", "fuzz");
        pos = in.size();
        break;
      case 'I':
        (void)tree.Add(caller, "./Inbox",
                       dm::Content{dm::Format::kXml, "", dm::kTndsXmlType,
                                   std::string(rest), ""});
        pos = in.size();
        break;
      case 'B': {
        dm::BootstrapOptions bo;
        bo.origin = "card:2";
        (void)dm::ApplyBootstrapXml(tree, rest, bo);
        pos = in.size();
        break;
      }
      default:
        break;
    }
  }
  if (Count(tree.root()) != tree.node_count()) std::abort();
  (void)tree.ToJson(true).dump(-1, ' ', false,
                               nlohmann::json::error_handler_t::replace);
  (void)tree.ToText();
  (void)tree.ToTnds(".", dm::Tree::TndsProps::All());
  (void)dm::RemoveAccountsOfOrigin(tree, "card:1");
  if (!tree.UrisOfOrigin("card:1").empty()) std::abort();
  if (Count(tree.root()) != tree.node_count()) std::abort();
  return 0;
}
