// Renders dissection trees (codec::ProtoNode) for people (tshark -V style,
// each line annotated with offset and length) and for machines (JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "codec/dissect.h"
#include "codec/proto_tree.h"
#include "codec/result.h"

namespace omaiop::cli {

// One line per node: "  0x0002     1  ····PDU Type: Push (0x06)".
// Nodes with length 0 and no offset meaning print blanks in the columns.
std::string RenderText(const codec::ProtoNode& node);

nlohmann::json ToJson(const codec::ProtoNode& node);
nlohmann::json ToJson(const codec::Diagnostic& d);

// A whole dissection as `omaiop decode` prints it: "Format:", the layers,
// content type, security verdict, errors, the decoded document.
std::string RenderDissectionText(const codec::Dissection& d);
// ... and as `omaiop decode --json` prints it: {format, ok, layers,
// content_type, security{method, mac, mac_ok, detail}, xml, errors}.
nlohmann::json DissectionJson(const codec::Dissection& d);
nlohmann::json ToJson(const codec::SecurityReport& s);

}  // namespace omaiop::cli
