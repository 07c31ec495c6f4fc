// The virtual UICC itself: command APDUs in, response APDUs out, entirely
// in-process (ETSI TS 102 221 §10-11 for CLA 0X/8X, GSM 11.11 §9 for the
// classic SIM's CLA A0). A transport (vpcd, PC/SC) only has to call
// Transmit() per APDU, Reset() on power-off/on/reset and answer GET ATR with
// Card::Atr().
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "codec/bytes.h"
#include "sim/uicc/apdu.h"
#include "sim/uicc/fcp.h"
#include "sim/uicc/file_system.h"
#include "sim/uicc/pin.h"

namespace omaiop::sim::uicc {

inline constexpr int kMaxLogicalChannels = 20;  // TS 102 221 §10.1.1

struct CardOptions {
  // Answer case-4 commands (SELECT with FCP, ...) with 61xx and hand the
  // data out through GET RESPONSE (T=0 behaviour, TS 102 221 §7.3.1.1.4),
  // instead of data + 9000 in one response (what vpcd/T=1 readers expect).
  bool strict_t0 = false;
  // Accept the UICC classes 0X/4X/8X/CX (TS 102 221 §10.1.1).
  bool uicc_cla = true;
  // Accept the GSM SIM class A0 (GSM 11.11); a 2G profile sets this and may
  // clear uicc_cla so that tools probing with CLA 00 fall back to SIM mode.
  bool gsm_cla = false;
  // Logical channels including the basic channel 0 (1..20). Default 4,
  // matching the ATR's card-capabilities byte.
  int logical_channels = 4;
  // Status word of a SEARCH RECORD that finds nothing: 6282 "end of
  // file/record reached before reading Le bytes or unsuccessful search"
  // (TS 102 221 §10.2.1.1 status word table, as transcribed in pySim's
  // CardProfileUICC; the §11.1.7 text itself was not checked). Some cards
  // answer 6A83; set that here to emulate them.
  std::uint16_t search_no_match_sw = sw::kEndOfFile;
  // Tag AB (expanded, names keys exactly) or 8C (compact) in the FCP.
  SecurityAttributeFormat security_attributes =
      SecurityAttributeFormat::kExpanded;
};

// Per logical channel: the current DF, EF, application and record pointer
// (TS 102 221 §8.4, §11.1.17: each channel has its own).
struct ChannelState {
  bool open = false;
  FileRef current_df = 0;
  FileRef current_ef = kNoFile;
  FileRef current_adf = kNoFile;
  int record = 0;  // current record number, 0 = none
};

class Card;

// What a command changed in the card's persistent content (file bodies,
// life cycle states, PIN values, retry counters, enabled flags). `file` is
// the EF whose body or life cycle changed, kNoFile for a PIN command.
struct CardChange {
  FileRef file = kNoFile;
  bool pins = false;  // a PIN command ran: its state may have changed
};
// Called after the change is made and before the response leaves the card,
// so a listener that persists makes the write durable before the terminal
// sees 9000. Returning false turns the response into 6581 "memory problem"
// (execution error, ISO 7816-4 §5.6 / TS 102 221 §10.2.1; GSM 11.11
// §9.4.5: 9240); the in-memory change is kept.
using ChangeListener = std::function<bool(const Card&, const CardChange&)>;

class Card {
 public:
  explicit Card(FileSystem fs, PinStore pins = PinStore::Default(),
                CardOptions options = {});

  // One command APDU in, one response APDU (data || SW1 SW2) out. Never
  // fails: malformed input yields an error status word.
  Bytes Transmit(ByteView command);

  // Cold/warm reset: closes channels 1..19, selects the MF on channel 0,
  // forgets PIN verifications and pending GET RESPONSE data. File contents
  // and retry counters persist.
  void Reset();

  // 3B 9E 96 80 1F C7 | 80 31 A0 73 BE 21 13 56 "omaiop" | TCK: T=0 and T=15
  // (TA3 C7: classes A/B/C, clock stop), historical bytes in compact-TLV
  // (card capabilities, issuer data naming omaiop), TCK = XOR of T0..last.
  static ByteView Atr();

  // One listener (replaces the previous one; empty = none).
  void SetChangeListener(ChangeListener listener) {
    listener_ = std::move(listener);
  }

  const FileSystem& file_system() const { return fs_; }
  const PinStore& pins() const { return pins_; }
  const CardOptions& options() const { return options_; }
  const ChannelState& channel(int n) const { return channels_.at(n); }

 private:
  struct Reply {
    Bytes data;
    std::uint16_t sw = sw::kOk;
  };

  Reply Dispatch(const CommandApdu& c);
  Reply DispatchGsm(const CommandApdu& c);

  Reply Select(ChannelState& ch, const CommandApdu& c);
  Reply Status(ChannelState& ch, const CommandApdu& c);
  Reply ReadBinary(ChannelState& ch, const CommandApdu& c);
  Reply UpdateBinary(ChannelState& ch, const CommandApdu& c);
  Reply ReadRecord(ChannelState& ch, const CommandApdu& c);
  Reply UpdateRecord(ChannelState& ch, const CommandApdu& c);
  Reply SearchRecord(ChannelState& ch, const CommandApdu& c);
  Reply PinCommand(const CommandApdu& c);
  Reply GetResponse(const CommandApdu& c);
  Reply ManageChannel(int origin, const CommandApdu& c);
  Reply SetLifeCycle(ChannelState& ch, const CommandApdu& c, bool activate);

  // Shared helpers.
  FileRef FindByFid(const ChannelState& ch, std::uint16_t fid) const;
  FileRef FindByPath(const ChannelState& ch, ByteView path, bool from_mf) const;
  void MakeCurrent(ChannelState& ch, FileRef ref);
  // Resolves the EF a READ/UPDATE addresses (current EF or SFI); on success
  // returns 9000 and sets *out, else the status word.
  std::uint16_t ResolveEf(ChannelState& ch, std::uint8_t sfi, FileRef* out);
  std::uint16_t CheckAccess(const File& f, Operation op) const;
  Reply Fcp(FileRef ref) const;

  FileSystem fs_;
  PinStore pins_;
  CardOptions options_;
  std::array<ChannelState, kMaxLogicalChannels> channels_;
  Bytes pending_;             // data awaiting GET RESPONSE
  bool gsm_pending_ = false;  // pending_ came from a CLA A0 SELECT
  ChangeListener listener_;
  std::optional<CardChange> change_;  // set by the handlers of this command
};

}  // namespace omaiop::sim::uicc
