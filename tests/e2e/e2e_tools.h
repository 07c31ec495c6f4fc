// Real third-party readers of omaiop's reports, shared by the e2e tests:
// headless Chromium (console lines + the DOM after scripts ran) and tshark
// (PDML per packet: protocols, malformed markers, expert infos).
#pragma once

#include <gtest/gtest.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "codec/xml.h"
#include "tests/test_util.h"

namespace omaiop::e2e {

// --- Chromium ------------------------------------------------------------

struct Browsed {
  std::string dom;
  std::vector<std::string> console;  // ":CONSOLE" lines from stderr
  int exit_code = -1;
};

// Opens `html` (file://) in headless Chromium with a fresh profile under
// `work_dir`. Chromium logs every console message (console.*, uncaught
// exceptions, CSP violations) to stderr as ":CONSOLE" lines.
inline Browsed OpenInChromium(const std::string& chromium,
                              const std::filesystem::path& html,
                              const std::filesystem::path& work_dir) {
  Browsed b;
  const auto err = work_dir / "chromium.stderr";
  const auto profile = work_dir / "profile";
  b.dom = omaiop::testing::RunCommand(
      "timeout 120 '" + chromium +
          "' --headless=new --disable-gpu --no-sandbox --no-first-run "
          "--user-data-dir='" +
          profile.string() +
          "' --enable-logging=stderr --v=0 --dump-dom 'file://" +
          html.string() + "' 2>'" + err.string() + "'",
      &b.exit_code);
  std::istringstream lines(omaiop::testing::ReadFileText(err));
  for (std::string line; std::getline(lines, line);)
    if (line.find(":CONSOLE") != std::string::npos) b.console.push_back(line);
  return b;
}

// The values of attribute `attr` of the nodes `xpath` selects.
inline std::vector<std::string> XPathAttr(htmlDocPtr doc,
                                          const std::string& xpath,
                                          const char* attr) {
  std::vector<std::string> out;
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  xmlXPathObjectPtr r = xmlXPathEvalExpression(
      reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx);
  if (r && r->nodesetval)
    for (int i = 0; i < r->nodesetval->nodeNr; ++i)
      out.push_back(codec::GetAttr(r->nodesetval->nodeTab[i], attr));
  xmlXPathFreeObject(r);
  xmlXPathFreeContext(ctx);
  return out;
}

// --- tshark --------------------------------------------------------------

inline constexpr long kPiWarn = 0x00600000;  // expert severity (epan/proto.h)

struct Dissected {
  std::vector<std::string> protos;
  std::vector<std::string> problems;  // malformed / expert >= warning
  std::map<std::string, std::vector<std::string>> fields;
  bool Has(const std::string& p) const {
    for (const auto& x : protos)
      if (x == p) return true;
    return false;
  }
};

inline void WalkPdml(const xmlNode* n, Dissected& d) {
  for (const xmlNode* c = codec::FirstChildElement(n); c;
       c = codec::NextSiblingElement(c)) {
    const std::string name = codec::GetAttr(c, "name");
    if (codec::NodeName(c) == "proto") {
      d.protos.push_back(name);
      if (name == "_ws.malformed")
        d.problems.push_back(codec::GetAttr(c, "showname"));
    }
    if (name == "_ws.expert.severity" &&
        std::strtol(codec::GetAttr(c, "show").c_str(), nullptr, 10) >= kPiWarn)
      d.problems.push_back(codec::GetAttr(n, "showname"));
    if (!name.empty()) d.fields[name].push_back(codec::GetAttr(c, "show"));
    WalkPdml(c, d);
  }
}

// Every packet of `pcap` as tshark dissects it (-T pdml). A missing tshark
// is a test failure saying how to install it.
inline std::vector<Dissected> Tshark(const std::string& pcap) {
  const std::string tshark = omaiop::testing::FindOnPath("tshark");
  EXPECT_FALSE(tshark.empty())
      << "tshark not found: run scripts/setup (apt-get install tshark)";
  std::vector<Dissected> out;
  if (tshark.empty()) return out;
  int status = -1;
  const std::string xml = omaiop::testing::RunCommand(
      "'" + tshark + "' -n -r '" + pcap + "' -T pdml 2>/dev/null", &status);
  EXPECT_EQ(status, 0) << "tshark failed on " << pcap;
  auto doc = codec::ParseXml(xml, "tshark PDML");
  EXPECT_TRUE(doc.ok());
  if (!doc.ok()) return out;
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  for (const xmlNode* p = codec::FirstChildElement(root, "packet"); p;
       p = codec::NextSiblingElement(p, "packet")) {
    Dissected d;
    WalkPdml(p, d);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace omaiop::e2e
