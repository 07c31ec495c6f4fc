// SyncML DM 1.2 message model (OMA-TS-DM_RepPro-V1_2, OMA-TS-DM_Protocol-V1_2
// §4.1) and its mapping to and from XML. The WBXML form goes through the same
// DOM: SyncMlFromXmlDoc(DecodeWbxml(bytes).doc) and
// EncodeWbxml(SyncMlToXmlDoc(m), SyncMlDmLanguage()).
//
// Elements are matched on their LOCAL names, so documents with the DM
// namespaces (SYNCML:SYNCML1.2, syncml:metinf on Meta children,
// syncml:dmddf1.2 on TNDS) and documents without any namespace both parse.
// Output is in the DTD's child order with the namespaces (unless disabled).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/proto_tree.h"
#include "codec/result.h"
#include "codec/xml.h"

namespace omaiop::codec {

inline constexpr std::string_view kSyncMl12Ns = "SYNCML:SYNCML1.2";
inline constexpr std::string_view kMetInfNs = "syncml:metinf";
inline constexpr std::string_view kDmDdf12Ns = "syncml:dmddf1.2";

// MetInf (syncml:metinf) elements used by DM. Values are kept as the text
// sent (a harness must be able to represent wrong values).
struct Meta {
  std::optional<std::string> format;  // "chr", "b64", "int", "node", "xml"...
  std::optional<std::string> type;    // MIME type or syncml:auth-*
  std::optional<std::string> mark;    // Generic Alert severity
  std::optional<std::string> size;
  std::optional<std::string> version;
  std::optional<std::string> next_nonce;  // b64
  std::optional<std::string> max_msg_size;
  std::optional<std::string> max_obj_size;
  std::vector<std::string> emi;  // may repeat
  bool operator==(const Meta&) const = default;
};

// Content of a <Data> element, modelled explicitly.
struct DataValue {
  enum class Kind {
    kText,    // character data (including b64 text and status codes)
    kXml,     // embedded element subtree(s), e.g. a TNDS <MgmtTree>
    kBinary,  // opaque octets (WBXML OPAQUE). XML cannot carry raw octets,
              // so SyncMlToXml writes them as base64 text: an XML round trip
              // turns kBinary into kText with the b64 form.
  };
  Kind kind = Kind::kText;
  std::string text;
  // kXml: each element child serialised as a standalone document (no
  // declaration) with the namespaces it uses declared on its root.
  std::vector<std::string> xml_elements;
  Bytes binary;

  static DataValue Text(std::string t) {
    return {Kind::kText, std::move(t), {}, {}};
  }
  static DataValue Xml(std::string element) {
    return {Kind::kXml, {}, {std::move(element)}, {}};
  }
  static DataValue Binary(Bytes b) {
    return {Kind::kBinary, {}, {}, std::move(b)};
  }
  bool operator==(const DataValue&) const = default;

  // The content as a leaf value: text as is, binary octets as a raw string,
  // embedded elements concatenated.
  std::string AsText() const {
    switch (kind) {
      case Kind::kText:
        return text;
      case Kind::kBinary:
        return std::string(binary.begin(), binary.end());
      case Kind::kXml: {
        std::string s;
        for (const auto& e : xml_elements) s += e;
        return s;
      }
    }
    return {};
  }
};

struct LocInfo {  // Target / Source
  std::string loc_uri;
  std::optional<std::string> loc_name;
  bool operator==(const LocInfo&) const = default;
};

struct Item {
  std::optional<LocInfo> target;
  std::optional<LocInfo> source;
  std::optional<Meta> meta;
  std::optional<DataValue> data;
  bool more_data = false;  // large object chunk follows (DM_Protocol §2.2)
  bool operator==(const Item&) const = default;
};

struct Cred {
  std::optional<Meta> meta;  // Type syncml:auth-*, Format b64
  std::string data;
  bool operator==(const Cred&) const = default;
};

struct Chal {
  Meta meta;  // Type, Format, NextNonce
  bool operator==(const Chal&) const = default;
};

enum class CommandType {
  kAdd,
  kAlert,
  kAtomic,
  kCopy,
  kDelete,
  kExec,
  kGet,
  kReplace,
  kResults,
  kSequence,
  kStatus,
};
std::string_view CommandName(CommandType t);
std::optional<CommandType> CommandFromName(std::string_view name);

// One SyncBody command. A single struct for all kinds (fields a kind does not
// use stay empty) keeps the model a plain value that tests can compare.
// DM forbids Cred inside commands (OMA-TS-DM_Protocol-V1_2 §4.1.1.6), so
// there is none here.
struct Command {
  CommandType type = CommandType::kStatus;
  std::string cmd_id;
  bool no_resp = false;
  std::optional<Meta> meta;
  std::vector<Item> items;
  // Alert: Data = alert code; Status: Data = status code.
  std::optional<std::string> data;
  std::optional<std::string> correlator;  // Alert, Exec
  // Status / Results
  std::optional<std::string> msg_ref;
  std::optional<std::string> cmd_ref;
  std::optional<std::string> cmd;  // Status: name of the command answered
  std::vector<std::string> target_refs;
  std::vector<std::string> source_refs;
  std::optional<Chal> chal;  // Status
  // Atomic / Sequence
  std::vector<Command> children;

  // Data parsed as a decimal code (Alert/Status), if it is one.
  std::optional<int> Code() const;
  bool operator==(const Command&) const = default;
};

struct SyncHdr {
  std::string ver_dtd = "1.2";
  std::string ver_proto = "DM/1.2";
  std::string session_id;
  std::string msg_id;
  LocInfo target;
  LocInfo source;
  std::optional<std::string> resp_uri;
  bool no_resp = false;
  std::optional<Cred> cred;
  std::optional<Meta> meta;  // MaxMsgSize, MaxObjSize
  bool operator==(const SyncHdr&) const = default;
};

struct SyncBody {
  std::vector<Command> commands;
  bool final = false;
  bool operator==(const SyncBody&) const = default;
};

struct SyncMlMessage {
  SyncHdr hdr;
  SyncBody body;
  // Parse only: deviations that do not stop processing (e.g. VerProto not
  // DM/1.2). Not compared by operator==.
  std::vector<Diagnostic> warnings;
  bool operator==(const SyncMlMessage& o) const {
    return hdr == o.hdr && body == o.body;
  }
};

struct SyncMlParseOptions {
  // Unknown elements (e.g. DS-only <Sync>, <Map>) are an error by default;
  // when allowed they are skipped with a warning.
  bool allow_unknown_elements = false;
};

Result<SyncMlMessage> SyncMlFromXml(std::string_view xml,
                                    const SyncMlParseOptions& options = {});
Result<SyncMlMessage> SyncMlFromXmlDoc(const xmlDoc* doc,
                                       const SyncMlParseOptions& options = {});

struct SyncMlWriteOptions {
  bool namespaces =
      true;  // SYNCML:SYNCML1.2 on root, syncml:metinf on Meta children
};
XmlDoc SyncMlToXmlDoc(const SyncMlMessage& m,
                      const SyncMlWriteOptions& options = {});
std::string SyncMlToXml(const SyncMlMessage& m,
                        const SyncMlWriteOptions& options = {});

// Code tables (dm.md §3.4, §3.5); "" for codes not in the table.
std::string_view AlertCodeName(int code);
std::string_view StatusCodeName(int code);

// Summary tree: header fields, each command with CmdID, codes with names.
// Not byte-based: offsets and lengths are 0.
ProtoNode DescribeSyncMl(const SyncMlMessage& m);

// --- builders for the messages a simulator needs -----------------------------

inline constexpr int kAlertServerInitiated = 1200;
inline constexpr int kAlertClientInitiated = 1201;
inline constexpr int kAlertGeneric = 1226;

struct ClientPackage1 {
  std::string session_id = "1";
  std::string msg_id = "1";
  std::string server_uri;  // SyncHdr Target LocURI
  std::string device_id;   // SyncHdr Source LocURI (DevInfo/DevId)
  std::optional<std::string> source_name;  // Source LocName (auth user)
  std::optional<Cred> cred;
  std::optional<std::string> max_msg_size;
  std::optional<std::string> max_obj_size;
  int alert_code = kAlertClientInitiated;  // 1201, or 1200 after a pkg0
  // ./DevInfo leaves sent in the Replace, in order: {"DevId", "IMEI:..."}...
  std::vector<std::pair<std::string, std::string>> devinfo;
  // Meta Format chr on each DevInfo item (common practice; the protocol
  // example is not verified on this point [R]).
  bool devinfo_format_chr = true;
  std::vector<Command> extra;  // e.g. Generic Alerts to report in pkg1
};
// SyncHdr + Alert(code, CmdID 1) + Replace of ./DevInfo/* (CmdID 2) + extras
// (CmdIDs continue) + Final.
SyncMlMessage BuildClientPackage1(const ClientPackage1& p);

// Status answering a received SyncHdr (CmdRef 0, Cmd "SyncHdr", TargetRef /
// SourceRef = the header's Target / Source LocURI).
Command BuildSyncHdrStatus(const SyncHdr& received, std::string cmd_id,
                           int code, std::optional<Chal> chal = {});
// Status answering a command (CmdRef, Cmd, TargetRef per item target).
Command BuildCommandStatus(std::string msg_ref, const Command& received,
                           std::string cmd_id, int code);
// Results for a Get: one Item per value, Source LocURI = the node URI.
struct ResultValue {
  std::string uri;
  DataValue data;
  std::optional<std::string> format = "chr";
  std::optional<std::string> type;
};
Command BuildResults(std::string msg_ref, const Command& get,
                     std::string cmd_id, std::vector<ResultValue> values);

// Generic Alert 1226 (FUMO: OMA-TS-DM-FUMO-V1_0; DM_Protocol alert 1226).
struct GenericAlert {
  std::string cmd_id;
  std::optional<std::string> correlator;  // echoed iff the Exec had one
  std::string source_uri;                 // URI of the exec'd FUMO node
  std::string type;  // org.openmobilealliance.dm.firmwareupdate.download...
  std::string format = "int";
  std::optional<std::string> mark;  // severity, e.g. "critical"
  std::string data;                 // FUMO result code, e.g. "200"
};
Command BuildGenericAlert(const GenericAlert& a);

}  // namespace omaiop::codec
