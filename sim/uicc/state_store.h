// Persistence of the virtual UICC's writable content across runs
// (`omaiop uicc serve --state FILE`): EF bodies, records (cyclic order
// included), life cycle states and the PIN state a real card keeps in its
// non-volatile memory (PIN values, enabled flags, retry counters).
//
// The saved state is keyed by file path ("3F00/7F10/6F3A",
// "3F00/ADF(A0000000871002...)/6F07"), not by position in the tree, so the
// profile may change around it: saved files that are gone or no longer fit
// (other structure or size) are reported and skipped, the rest is applied.
//
// File format (version 1), one line per item, a SHA-256 over all preceding
// bytes last, so that a torn or edited file is detected and refused rather
// than silently used:
//   omaiop-uicc-state 1
//   ef 3F00/2FE2 transparent lcs=05 data=98101032547698
//   ef 3F00/7F10/6F3A linear-fixed lcs=05 size=30 records=FF..FF,FF..FF
//   ef 3F00/7F10/6F39 cyclic lcs=05 size=3 records=<record 1 = newest>,...
//   pin 01 enabled=1 tries=3 puk-tries=10 value=1234
//   sha256 <64 hex digits>
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"
#include "sim/uicc/apdu_engine.h"
#include "sim/uicc/file_system.h"
#include "sim/uicc/pin.h"

namespace omaiop::sim::uicc {

inline constexpr int kStateFormatVersion = 1;

struct SavedEf {
  std::string path;  // FileSystem::PathOf
  FileKind kind = FileKind::kTransparent;
  LifeCycle lcs = LifeCycle::kActivated;
  Bytes data;                   // transparent
  std::size_t record_size = 0;  // record EFs
  std::vector<Bytes> records;   // record EFs, [0] = record 1
  friend bool operator==(const SavedEf&, const SavedEf&) = default;
};

struct SavedPin {
  std::uint8_t key_ref = 0;
  std::string value;
  bool enabled = true;
  int tries_left = 0;
  int puk_tries_left = 0;
  friend bool operator==(const SavedPin&, const SavedPin&) = default;
};

struct CardState {
  std::vector<SavedEf> efs;
  std::vector<SavedPin> pins;
  friend bool operator==(const CardState&, const CardState&) = default;
};

// Every EF and PIN of the card, in tree / key order.
CardState CaptureState(const FileSystem& fs, const PinStore& pins);
std::string SerializeState(const CardState& state);
// Checks the header, version and checksum first, then every line. A
// diagnostic names the byte offset and line of the first problem.
codec::Result<CardState> ParseState(std::string_view text);
// Overlays `state`; returns one diagnostic per saved item NOT applied (path
// gone, different structure/size, unknown PIN, counters out of range).
std::vector<codec::Diagnostic> ApplyState(const CardState& state,
                                          FileSystem& fs, PinStore& pins);

// Replaces `path` with `content` so that, after a crash at any moment,
// the file holds either its old or its new content (see the .cc). Uses
// `path`.tmp as scratch: one writer per path. New files are mode 0600.
codec::Status WriteFileAtomically(const std::string& path,
                                  std::string_view content);

class StateStore {
 public:
  explicit StateStore(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  // Reads the state file and overlays it onto a freshly built card's `fs`
  // and `pins`. Returns false if there is no file yet (first run), true if
  // one was applied; an error if it is unreadable or corrupt (never used
  // then). Items that no longer fit the profile go to `warnings`.
  codec::Result<bool> Load(FileSystem& fs, PinStore& pins,
                           std::vector<codec::Diagnostic>* warnings);

  // Writes the card's state atomically unless it equals what was last
  // loaded or written (a VERIFY of a right PIN changes nothing).
  codec::Status Save(const FileSystem& fs, const PinStore& pins);

  // Persists every change `card` makes, before the card answers. A failed
  // write makes the card answer 6581 and is kept in last_error(). The store
  // must outlive the card (or the card's listener must be cleared first).
  void Attach(Card& card);

  const std::optional<codec::Diagnostic>& last_error() const {
    return last_error_;
  }
  // Number of files actually written (for tests and statistics).
  std::size_t writes() const { return writes_; }

 private:
  std::string path_;
  std::string last_text_;  // what the file holds, as far as we know
  std::optional<codec::Diagnostic> last_error_;
  std::size_t writes_ = 0;
};

}  // namespace omaiop::sim::uicc
