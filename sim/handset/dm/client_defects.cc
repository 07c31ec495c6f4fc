#include "sim/handset/dm/client_defects.h"

#include <algorithm>
#include <array>

#include "codec/wbxml.h"
#include "codec/wbxml_language.h"

namespace omaiop::sim::handset::dm {

namespace {

using codec::Command;
using codec::CommandType;

constexpr std::array<DmClientDefectInfo, 5> kDefects{{
    {DmClientDefectId::kStatusWrongCode, "client-status-wrong-code",
     "every Status for a server command carries 500 (or 200 where the "
     "real result was 500), not the result of the command",
     "dm.md §3.5: the Status code reports the command's result"},
    {DmClientDefectId::kStatusMissing, "client-status-missing",
     "the last Status for a server command in each message is dropped",
     "dm.md §3.1; OMA-TS-DM_RepPro-V1_2: every command without NoResp gets "
     "a Status"},
    {DmClientDefectId::kResultsMissing, "client-results-missing",
     "Results answering a Get are dropped (the Status stays)",
     "dm.md §3.1: a Get answered 200 is followed by Results"},
    {DmClientDefectId::kSessionIdMismatch, "client-session-id-mismatch",
     "messages after package 1 carry another SessionID",
     "dm.md §3.1: SessionID is the same in every message of a session"},
    {DmClientDefectId::kBadDigest, "client-bad-digest",
     "the SyncHdr Cred data is altered (does not verify)",
     "dm.md §3.7: client credentials (syncml:auth-md5 digest)"},
}};

bool IsPackage1(const codec::SyncMlMessage& m) {
  return std::any_of(m.body.commands.begin(), m.body.commands.end(),
                     [](const Command& c) {
                       return c.type == CommandType::kAlert &&
                              (c.Code() == codec::kAlertClientInitiated ||
                               c.Code() == codec::kAlertServerInitiated);
                     });
}

bool IsCommandStatus(const Command& c) {
  return c.type == CommandType::kStatus && c.cmd.value_or("") != "SyncHdr";
}

std::string Name(DmClientDefectId id) {
  return std::string(DefectInfoOf(id).name);
}

}  // namespace

std::span<const DmClientDefectInfo> AllDmClientDefects() { return kDefects; }

const DmClientDefectInfo& DefectInfoOf(DmClientDefectId id) {
  for (const auto& d : kDefects)
    if (d.id == id) return d;
  return kDefects[0];
}

std::optional<DmClientDefectId> DmClientDefectByName(std::string_view name) {
  for (const auto& d : kDefects)
    if (d.name == name) return d.id;
  return std::nullopt;
}

std::vector<std::string> ApplyDmClientDefects(
    std::span<const DmClientDefectId> defects, codec::SyncMlMessage& m) {
  std::vector<std::string> applied;
  auto& cmds = m.body.commands;
  for (DmClientDefectId d : defects) {
    switch (d) {
      case DmClientDefectId::kStatusWrongCode:
        for (auto& c : cmds) {
          if (!IsCommandStatus(c)) continue;
          const std::string was = c.data.value_or("");
          c.data = c.Code() == 500 ? "200" : "500";
          applied.push_back(Name(d) + ": Status CmdRef " +
                            c.cmd_ref.value_or("?") + " (" +
                            c.cmd.value_or("") + ") " + was + " -> " + *c.data);
        }
        break;
      case DmClientDefectId::kStatusMissing: {
        auto it = std::find_if(cmds.rbegin(), cmds.rend(), IsCommandStatus);
        if (it == cmds.rend()) break;
        applied.push_back(Name(d) + ": Status CmdRef " +
                          it->cmd_ref.value_or("?") + " (" +
                          it->cmd.value_or("") + ") dropped");
        cmds.erase(std::next(it).base());
        break;
      }
      case DmClientDefectId::kResultsMissing: {
        const auto n = std::erase_if(cmds, [](const Command& c) {
          return c.type == CommandType::kResults;
        });
        if (n)
          applied.push_back(Name(d) + ": " + std::to_string(n) +
                            " Results dropped");
        break;
      }
      case DmClientDefectId::kSessionIdMismatch:
        if (IsPackage1(m)) break;
        m.hdr.session_id += "9";
        applied.push_back(Name(d) + ": SessionID -> " + m.hdr.session_id);
        break;
      case DmClientDefectId::kBadDigest:
        if (!m.hdr.cred || m.hdr.cred->data.empty()) break;
        {
          // Another base64 character keeps the form valid but the digest
          // (or basic credential) wrong.
          char& ch = m.hdr.cred->data[0];
          ch = ch == 'A' ? 'B' : 'A';
          applied.push_back(Name(d) + ": Cred data -> " + m.hdr.cred->data);
        }
        break;
    }
  }
  return applied;
}

DefectiveBody ApplyDmClientDefectsToBody(
    std::span<const DmClientDefectId> defects, std::string_view content_type,
    std::string_view body) {
  DefectiveBody out{std::string(body), {}};
  if (defects.empty()) return out;
  const bool wbxml = content_type.find("wbxml") != std::string_view::npos;
  codec::Result<codec::SyncMlMessage> m = codec::Diagnostic{};
  if (wbxml) {
    auto dec = codec::DecodeWbxml(codec::AsBytes(body));
    if (!dec.ok()) return out;
    m = codec::SyncMlFromXmlDoc(dec->doc.get());
  } else {
    m = codec::SyncMlFromXml(body);
  }
  if (!m.ok()) return out;
  out.applied = ApplyDmClientDefects(defects, *m);
  if (out.applied.empty()) return out;
  if (wbxml) {
    auto doc = codec::SyncMlToXmlDoc(*m);
    auto enc = codec::EncodeWbxml(doc.get(), codec::SyncMlDmLanguage());
    if (!enc.ok()) return {std::string(body), {}};
    out.body = codec::AsString(*enc);
  } else {
    out.body = codec::SyncMlToXml(*m);
  }
  return out;
}

}  // namespace omaiop::sim::handset::dm
