// `omaiop decode` and `omaiop encode`: the codec layer on the command line.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "codec/bytes.h"
#include "codec/cp_security.h"
#include "codec/dissect.h"
#include "codec/sms_udh.h"
#include "codec/syncml.h"
#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/wsp_push.h"
#include "codec/xml.h"
#include "harness/cli/commands.h"
#include "harness/cli/render.h"
#include "harness/cli/security_options.h"

namespace omaiop::cli {

namespace {

using codec::Bytes;
using nlohmann::json;

struct ToolError {
  std::string message;
};

std::string ReadFile(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin),
                       std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ToolError{"cannot read '" + path + "'"};
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

// Hex text: only hex digits, separators, whitespace and '#' comment lines.
bool IsHexText(const std::string& s) {
  std::istringstream lines(s);
  std::string line;
  bool any = false;
  while (std::getline(lines, line)) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    if (!codec::ParseHex(line).ok()) return false;
    any = true;
  }
  return any;
}

// FILE (binary, or hex text with one input per line), "-" for stdin, or one
// or more hex strings.
std::vector<Bytes> ReadInputs(const std::vector<std::string>& args) {
  std::vector<Bytes> inputs;
  std::error_code ec;  // a long hex argument is not a path: no exception
  if (args.size() == 1 &&
      (args[0] == "-" || std::filesystem::is_regular_file(args[0], ec))) {
    std::string content = ReadFile(args[0]);
    if (!IsHexText(content)) {
      inputs.emplace_back(content.begin(), content.end());
      return inputs;
    }
    std::istringstream lines(content);
    std::string line;
    while (std::getline(lines, line)) {
      auto first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos || line[first] == '#') continue;
      inputs.push_back(*codec::ParseHex(line));
    }
    return inputs;
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto hex = codec::ParseHex(args[i]);
    if (!hex.ok()) {
      throw ToolError{"argument " + std::to_string(i + 1) + " is neither a " +
                      "readable file nor hex: " + hex.error().ToString()};
    }
    inputs.push_back(std::move(*hex));
  }
  return inputs;
}

struct DecodeArgs {
  std::vector<std::string> inputs;
  std::string imsi, pin, as = "auto";
  bool json = false, lenient = false, reject_lower_case = false;
};

int RunDecode(const DecodeArgs& a) {
  codec::DissectOptions opts;
  if (!a.imsi.empty()) opts.imsi = a.imsi;
  if (!a.pin.empty()) opts.pin = a.pin;
  opts.strict_wbxml = !a.lenient;
  opts.accept_lower_case_mac = !a.reject_lower_case;
  opts.format = *codec::InputFormatFromName(a.as);
  codec::Dissection d = codec::Dissect(ReadInputs(a.inputs), opts);

  if (a.json) {
    std::cout << DissectionJson(d).dump(2) << "\n";
  } else {
    std::cout << RenderDissectionText(d);
  }
  return d.ok() ? kExitOk : kExitFail;
}

// `encode cp` and `encode dm` share everything but the WBXML language and the
// push content type (DM-profile bootstrap: dm.md §2.1, SEC/MAC as CP §2.2).
enum class DocKind { kCp, kDm };

struct EncodeArgs {
  DocKind kind = DocKind::kCp;
  std::string file, sec = "none", imsi, pin, cp_version = "1.1";
  bool segments = false, json = false, no_string_table = false;
  int wbxml_version = 3;
  unsigned ref = 0, src_port = codec::kWdpPortWspConnless;
};

const std::map<std::string, codec::ProvVersion>& ProvVersions() {
  static const std::map<std::string, codec::ProvVersion> m = {
      {"1.0", codec::ProvVersion::k10},
      {"1.1", codec::ProvVersion::k11},
      {"wlan", codec::ProvVersion::k11Wlan}};
  return m;
}

int RunEncode(const EncodeArgs& a) {
  std::string text = ReadFile(a.file);
  auto doc = codec::ParseXml(text, a.file);
  if (!doc.ok()) throw ToolError{doc.error().ToString()};
  const bool dm = a.kind == DocKind::kDm;
  if (dm) {  // refuse what is not a SyncML DM message, naming the element
    auto msg = codec::SyncMlFromXmlDoc(doc->get());
    if (!msg.ok()) throw ToolError{a.file + ": " + msg.error().ToString()};
  }
  codec::WbxmlEncodeOptions wo;
  wo.version = static_cast<std::uint8_t>(a.wbxml_version);  // 1.x -> 0x0x
  wo.use_string_table = !a.no_string_table;
  const codec::WbxmlLanguage& language =
      dm ? codec::SyncMlDmLanguage()
         : codec::ProvLanguage(ProvVersions().at(a.cp_version));
  auto wbxml = codec::EncodeWbxml(doc->get(), language, wo);
  if (!wbxml.ok()) throw ToolError{a.file + ": " + wbxml.error().ToString()};
  const std::uint8_t content_type =
      dm ? codec::kCtSyncmlDmWbxml : codec::kCtConnectivityWbxml;

  codec::WspPush push;
  std::optional<std::string> user_pin;
  std::string mac;
  if (a.sec == "none") {
    push.content_type.form = codec::WspContentType::Form::kShort;
    push.content_type.well_known = content_type;
    push.body = *wbxml;
  } else {
    std::optional<codec::SecMethod> method;
    for (int v = 0; v <= 3; ++v) {
      auto m = *codec::SecMethodFromWire(v);
      if (codec::SecMethodName(m) == a.sec) method = m;
    }
    auto computed = codec::ComputeMac(*method, a.imsi, a.pin, *wbxml);
    if (!computed.ok()) throw ToolError{computed.error().ToString()};
    mac = *computed;
    if (*method == codec::SecMethod::kUserPinMac) {
      auto p = codec::MakeUserPinMacPin(a.pin, *wbxml);
      if (!p.ok()) throw ToolError{p.error().ToString()};
      user_pin = *p;
    }
    push = codec::MakeCpPush(static_cast<std::uint8_t>(*method), mac, *wbxml);
    push.content_type.well_known = content_type;
  }
  Bytes pdu = codec::EncodeWspPush(push);
  std::vector<Bytes> segments;
  if (a.segments) {
    codec::WdpDatagram dgram{codec::kWdpPortWapPush,
                             static_cast<std::uint16_t>(a.src_port), pdu};
    codec::WdpSegmentOptions so;
    so.reference = static_cast<std::uint16_t>(a.ref);
    so.concat_16bit = a.ref > 0xFF;
    auto segs = codec::SegmentWdpDatagram(dgram, so);
    if (!segs.ok()) throw ToolError{segs.error().ToString()};
    segments = std::move(*segs);
  }
  if (a.json) {
    json j;
    j["wbxml"] = codec::ToHex(*wbxml);
    j["push"] = codec::ToHex(pdu);
    j["sec"] = a.sec;
    j["mac"] = mac.empty() ? json(nullptr) : json(mac);
    j["user_pin"] = user_pin ? json(*user_pin) : json(nullptr);
    if (a.segments) {
      auto& s = j["segments"] = json::array();
      for (const auto& seg : segments) s.push_back(codec::ToHex(seg));
    }
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "# WBXML (" << wbxml->size() << " octets)\n"
            << codec::ToHex(*wbxml) << "\n";
  std::cout << "# WSP push PDU (" << pdu.size() << " octets, SEC " << a.sec
            << (mac.empty() ? "" : ", MAC " + mac) << ")\n"
            << codec::ToHex(pdu) << "\n";
  if (user_pin)
    std::cout << "# PIN to hand the user (USERPINMAC): " << *user_pin << "\n";
  if (a.segments) {
    std::cout << "# SMS user data, " << segments.size()
              << " segment(s), one per line\n";
    for (const auto& s : segments) std::cout << codec::ToHex(s) << "\n";
  }
  return kExitOk;
}

template <typename F>
void Guarded(CommandContext& ctx, F&& f) {
  try {
    ctx.exit_code = f();
  } catch (const ToolError& e) {
    std::cerr << "omaiop: " << e.message << "\n";
    ctx.exit_code = kExitToolFailure;
  } catch (const std::exception& e) {
    std::cerr << "omaiop: internal error: " << e.what() << "\n";
    ctx.exit_code = kExitToolFailure;
  }
}

void AddEncodeSubcommand(CLI::App* encode, CommandContext& ctx, DocKind kind,
                         const std::string& name,
                         const std::string& description) {
  auto args = std::make_shared<EncodeArgs>();
  args->kind = kind;
  auto* cmd = encode->add_subcommand(name, description);
  cmd->add_option(kind == DocKind::kCp ? "DOC.xml" : "MSG.xml", args->file,
                  kind == DocKind::kCp ? "CP document" : "SyncML DM message")
      ->required()
      ->check(CLI::ExistingFile);
  AddSecurityOptions(cmd, args->sec, args->imsi, args->pin);
  cmd->add_flag("--segments", args->segments,
                "also print the SMS user data segments (UDH + payload)");
  if (kind == DocKind::kCp) {
    cmd->add_option("--cp-version", args->cp_version,
                    "token set: 1.0, 1.1 (default) or wlan (1.1 + WLAN tokens)")
        ->check(CLI::IsMember({"1.0", "1.1", "wlan"}));
  }
  cmd->add_option("--wbxml-version", args->wbxml_version,
                  "WBXML version 1.1, 1.2 or 1.3 (give 1, 2 or 3; default 3)")
      ->check(CLI::Range(1, 3));
  cmd->add_flag("--no-string-table", args->no_string_table,
                "inline every string (STR_I) instead of using a string table");
  cmd->add_option("--ref", args->ref,
                  "concatenation reference (a value > 255 uses the 16-bit IE)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--src-port", args->src_port,
                  "WDP source port (default 9200)")
      ->check(CLI::Range(0, 65535));
  cmd->add_flag("--json", args->json, "print JSON");
  cmd->callback([&ctx, args] {
    Guarded(ctx, [&] {
      const std::string& s = args->sec;
      if ((s == "NETWPIN" || s == "USERNETWPIN") && args->imsi.empty())
        throw ToolError{"--sec " + s + " needs --imsi"};
      if ((s == "USERPIN" || s == "USERNETWPIN" || s == "USERPINMAC") &&
          args->pin.empty())
        throw ToolError{"--sec " + s + " needs --pin"};
      return RunEncode(*args);
    });
  });
}

}  // namespace

void RegisterCodecCommands(CLI::App& app, CommandContext& ctx) {
  auto decode_args = std::make_shared<DecodeArgs>();
  auto* decode = app.add_subcommand(
      "decode",
      "Detect and dissect SMS segments (UDH), a WSP push, WBXML (PROV, SyncML "
      "DM), a DM package 0 or SyncML XML; print every layer with offsets");
  decode
      ->add_option("input", decode_args->inputs,
                   "FILE (binary, or hex text with one SMS segment per "
                   "line), '-' for stdin, or one hex string per segment")
      ->required();
  decode->add_option("--imsi", decode_args->imsi,
                     "IMSI for NETWPIN/USERNETWPIN MAC verification");
  decode->add_option(
      "--pin", decode_args->pin,
      "user PIN for USERPIN/USERNETWPIN/USERPINMAC verification");
  decode->add_option("--as", decode_args->as, "force the outermost format")
      ->check(CLI::IsMember({"auto", "sms", "wsp", "wbxml", "pkg0", "xml"}));
  decode->add_flag("--json", decode_args->json,
                   "print JSON (format, layers, security, xml, errors)");
  decode->add_flag("--lenient", decode_args->lenient,
                   "decode unknown WBXML tokens as placeholders with a "
                   "warning instead of failing");
  decode->add_flag("--reject-lower-case-mac", decode_args->reject_lower_case,
                   "treat a lower-case hex MAC as a mismatch (Intel CPClient "
                   "behaviour; default accepts it as Nokia does)");
  decode->footer(
      "Exit status: 0 decoded and, if checked, MAC matches; 1 malformed "
      "input, incomplete reassembly or MAC mismatch; 3 tool failure.");
  decode->callback([&ctx, decode_args] {
    Guarded(ctx, [&] { return RunDecode(*decode_args); });
  });

  auto* encode = app.add_subcommand(
      "encode", "Encode documents into WBXML, push PDUs and SMS segments");
  encode->require_subcommand(1);
  AddEncodeSubcommand(
      encode, ctx, DocKind::kCp, "cp",
      "Encode a CP document (wap-provisioningdoc XML) to WBXML and a WSP push "
      "PDU (application/vnd.wap.connectivity-wbxml) with SEC/MAC, and "
      "optionally SMS segments");
  AddEncodeSubcommand(
      encode, ctx, DocKind::kDm, "dm",
      "Encode a SyncML DM message (XML) to WBXML and, e.g. for a DM-profile "
      "bootstrap, a WSP push PDU (application/vnd.syncml.dm+wbxml) with "
      "SEC/MAC, and optionally SMS segments");
}

}  // namespace omaiop::cli
