// Helper of the atomic-write kill test (state_store_test.cc): loads a card
// state from argv[1], then writes generation after generation through
// UPDATE BINARY / UPDATE RECORD APDUs until killed (or argv[2] generations).
// Generation g fills every byte group of every unit (a transparent EF, or
// one record) with g as a 32-bit big-endian number, units in a fixed order
// (KillTestUnits), and prints "gen g" once all of them are persisted.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "sim/uicc/apdu_engine.h"
#include "sim/uicc/state_store.h"
#include "sim/uicc/tools/kill_test_profile.h"

namespace {

using omaiop::codec::Bytes;
namespace uicc = omaiop::sim::uicc;

bool Send(uicc::Card& card, const Bytes& apdu, const char* what) {
  const Bytes r = card.Transmit(apdu);
  if (r.size() >= 2 && r[r.size() - 2] == 0x90 && r[r.size() - 1] == 0x00)
    return true;
  std::fprintf(stderr, "state_writer_tool: %s answered %s\n", what,
               omaiop::codec::ToHex(r).c_str());
  return false;
}

Bytes Pattern(std::size_t n, std::uint32_t g) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::uint8_t>(g >> (8 * (3 - i % 4)));
  return b;
}

bool WriteGeneration(uicc::Card& card, std::uint32_t g) {
  for (const auto& ef : uicc::KillTestEfs()) {
    // SELECT by path from the MF, no response data (P2 = 0C).
    Bytes sel = {0x00, 0xA4, 0x08, 0x0C,
                 static_cast<std::uint8_t>(ef.path_from_mf.size())};
    sel.insert(sel.end(), ef.path_from_mf.begin(), ef.path_from_mf.end());
    if (!Send(card, sel, "SELECT")) return false;
    if (ef.kind == uicc::FileKind::kTransparent) {
      Bytes apdu = {0x00, 0xD6, 0x00, 0x00,
                    static_cast<std::uint8_t>(ef.unit_size)};
      const Bytes data = Pattern(ef.unit_size, g);
      apdu.insert(apdu.end(), data.begin(), data.end());
      if (!Send(card, apdu, "UPDATE BINARY")) return false;
      continue;
    }
    for (std::size_t rec = 1; rec <= ef.units; ++rec) {
      // Linear fixed: absolute record number (P2 = 04); cyclic: PREVIOUS
      // (P2 = 03), the only mode TS 102 221 §11.1.6 allows there.
      const bool cyclic = ef.kind == uicc::FileKind::kCyclic;
      Bytes apdu = {0x00, 0xDC, static_cast<std::uint8_t>(cyclic ? 0 : rec),
                    static_cast<std::uint8_t>(cyclic ? 0x03 : 0x04),
                    static_cast<std::uint8_t>(ef.unit_size)};
      const Bytes data = Pattern(ef.unit_size, g);
      apdu.insert(apdu.end(), data.begin(), data.end());
      if (!Send(card, apdu, "UPDATE RECORD")) return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: state_writer_tool STATE_FILE [GENERATIONS]\n");
    return 2;
  }
  const long limit = argc > 2 ? std::atol(argv[2]) : -1;
  uicc::FileSystem fs = uicc::KillTestFileSystem();
  uicc::PinStore pins = uicc::PinStore::Default();
  uicc::StateStore store(argv[1]);
  std::vector<omaiop::codec::Diagnostic> warnings;
  auto loaded = store.Load(fs, pins, &warnings);
  if (!loaded.ok()) {
    std::fprintf(stderr, "state_writer_tool: %s\n",
                 loaded.error().ToString().c_str());
    return 2;
  }
  for (const auto& w : warnings)
    std::fprintf(stderr, "state_writer_tool: warning: %s\n",
                 w.ToString().c_str());
  // Continue after the newest generation found in the state.
  std::uint32_t g = 0;
  for (const auto& unit : uicc::KillTestUnits(fs))
    for (std::uint32_t v : unit) g = v > g ? v : g;
  uicc::Card card(std::move(fs), std::move(pins));
  store.Attach(card);
  std::printf("start %u\n", g);
  std::fflush(stdout);
  for (long n = 0; limit < 0 || n < limit; ++n) {
    ++g;
    if (!WriteGeneration(card, g)) {
      if (store.last_error())
        std::fprintf(stderr, "state_writer_tool: %s\n",
                     store.last_error()->ToString().c_str());
      return 3;
    }
    std::printf("gen %u\n", g);
    std::fflush(stdout);
  }
  return 0;
}
