// WBXML codec throughput, omaiop vs libwbxml2 in the same process, on a CP
// document and a DM message from fixtures/. Both sides start and end with
// the same representation so the numbers compare:
//   decode: WBXML bytes → XML text (ours: DecodeWbxml + SerializeXml;
//           libwbxml: wbxml_conv_wbxml2xml_run)
//   encode: XML text → WBXML bytes (ours: ParseXml + EncodeWbxml;
//           libwbxml: wbxml_conv_xml2wbxml_run)
// Bytes processed = input size, so MB/s is input throughput.
// scripts/bench codec prints the ours/libwbxml ratio per case.
#include <benchmark/benchmark.h>
#include <wbxml/wbxml.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "codec/wbxml.h"

namespace {

using namespace omaiop::codec;

std::string Read(const std::string& rel) {
  std::ifstream in(std::string(OMAIOP_SOURCE_DIR) + "/fixtures/" + rel,
                   std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

struct Case {
  const char* name;
  const char* xml;
  const char* wbxml;
};

const Case kCases[] = {
    {"cp", "cp/napdef_gprs_proxy.xml", "wbxml/cp_napdef_gprs_proxy.wbxml"},
    {"dm", "dm/pkg2_server_cmds.xml", "wbxml/dm_pkg2_server_cmds.wbxml"},
};

void DecodeOurs(benchmark::State& state, const Case& c) {
  std::string in = Read(c.wbxml);
  for (auto _ : state) {
    auto d = DecodeWbxml(AsBytes(in));
    if (!d.ok()) {
      state.SkipWithError(d.error().ToString().c_str());
      return;
    }
    std::string xml = SerializeXml(d->doc.get(), false);
    benchmark::DoNotOptimize(xml.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void DecodeLibwbxml(benchmark::State& state, const Case& c) {
  std::string in = Read(c.wbxml);
  WBXMLConvWBXML2XML* conv = nullptr;
  wbxml_conv_wbxml2xml_create(&conv);
  wbxml_conv_wbxml2xml_set_gen_type(conv, WBXML_GEN_XML_COMPACT);
  for (auto _ : state) {
    WB_UTINY* xml = nullptr;
    WB_ULONG len = 0;
    WBXMLError err =
        wbxml_conv_wbxml2xml_run(conv, reinterpret_cast<WB_UTINY*>(in.data()),
                                 static_cast<WB_ULONG>(in.size()), &xml, &len);
    if (err != WBXML_OK) {
      state.SkipWithError("libwbxml wbxml2xml failed");
      break;
    }
    benchmark::DoNotOptimize(xml);
    std::free(xml);
  }
  wbxml_conv_wbxml2xml_destroy(conv);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void EncodeOurs(benchmark::State& state, const Case& c) {
  std::string in = Read(c.xml);
  const WbxmlLanguage& lang =
      c.name == std::string("cp") ? ProvLanguage() : SyncMlDmLanguage();
  for (auto _ : state) {
    auto doc = ParseXml(in);
    auto enc =
        doc.ok() ? EncodeWbxml(doc->get(), lang) : Result<Bytes>(doc.error());
    if (!enc.ok()) {
      state.SkipWithError(enc.error().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(enc->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void EncodeLibwbxml(benchmark::State& state, const Case& c) {
  std::string in = Read(c.xml);
  for (auto _ : state) {
    // A converter per run: libwbxml's converter is not documented as reusable
    // for xml2wbxml.
    WBXMLConvXML2WBXML* conv = nullptr;
    wbxml_conv_xml2wbxml_create(&conv);
    wbxml_conv_xml2wbxml_set_version(conv, WBXML_VERSION_13);
    WB_UTINY* out = nullptr;
    WB_ULONG len = 0;
    WBXMLError err =
        wbxml_conv_xml2wbxml_run(conv, reinterpret_cast<WB_UTINY*>(in.data()),
                                 static_cast<WB_ULONG>(in.size()), &out, &len);
    wbxml_conv_xml2wbxml_destroy(conv);
    if (err != WBXML_OK) {
      state.SkipWithError("libwbxml xml2wbxml failed");
      break;
    }
    benchmark::DoNotOptimize(out);
    std::free(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

int Register() {
  for (const Case& c : kCases) {
    std::string n = c.name;
    benchmark::RegisterBenchmark(("wbxml_decode/" + n + "/ours").c_str(),
                                 DecodeOurs, c);
    benchmark::RegisterBenchmark(("wbxml_decode/" + n + "/libwbxml").c_str(),
                                 DecodeLibwbxml, c);
    benchmark::RegisterBenchmark(("wbxml_encode/" + n + "/ours").c_str(),
                                 EncodeOurs, c);
    benchmark::RegisterBenchmark(("wbxml_encode/" + n + "/libwbxml").c_str(),
                                 EncodeLibwbxml, c);
  }
  return 0;
}
const int kRegistered = Register();

}  // namespace

BENCHMARK_MAIN();
