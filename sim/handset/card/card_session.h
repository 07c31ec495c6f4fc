// The simulated handset's session with its smart card, over any
// reader::CardReader (in-process virtual UICC or PC/SC): power-on, card-kind
// detection, ICCID/IMSI, PIN1 and the file primitives (SELECT by path/AID,
// READ/UPDATE BINARY in chunks, READ RECORD) that provsc.h builds on.
//
// Two command sets, chosen by the detected card kind (uicc.md §3):
//  - 3G UICC / CSIM: CLA 00, SELECT by path from the MF (P1=08) or by AID
//    (P1=04) with FCP (P2=04), sizes from FCP tag 80 (TS 102 221 §11.1.1).
//  - 2G SIM / R-UIM: CLA A0, SELECT by FID one level at a time, 9Fxx + GET
//    RESPONSE for the GSM response data (GSM 11.11 §9.2.1), CHV status in
//    the DF response.
// Every APDU is reported to the trace callback with what it was for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/pkcs15.h"
#include "codec/result.h"
#include "sim/reader/card_reader.h"

namespace omaiop::sim::handset::card {

enum class CardKind : std::uint8_t {
  kUnknown,
  kSim2g,  // GSM SIM (GSM 11.11 / TS 51.011): CLA A0, DF.GSM 7F20
  kUicc,   // 3G UICC with ADF.USIM (TS 102 221 / TS 31.102)
  kRuim,   // 3GPP2 R-UIM (C.S0023): CLA A0, DF.CDMA 7F25
  kCsim,   // UICC with ADF.CSIM (C.S0065)
};
std::string_view CardKindName(CardKind kind);

// One command/response pair as the harness records it in APDU traces.
struct ApduExchange {
  codec::Bytes command;
  codec::Bytes response;  // data || SW1 SW2; empty if the transport failed
  std::uint16_t sw = 0;   // 0 if the transport failed
  std::string purpose;    // "SELECT EF.ODF", "READ BINARY EF.DODF @0 +255"
};
using ApduTraceFn = std::function<void(const ApduExchange&)>;

// Well-known identifiers (uicc.md §3). RIDs + application codes; the card's
// full AIDs come from EF.DIR and are matched by prefix.
inline constexpr std::uint8_t kUsimAidPrefix[] = {0xA0, 0x00, 0x00, 0x00,
                                                  0x87, 0x10, 0x02};
// UNCERTAIN (from memory, as fixtures/uicc/csim.xml): CSIM = RID A000000343
// + application code 1002 (C.S0065).
inline constexpr std::uint8_t kCsimAidPrefix[] = {0xA0, 0x00, 0x00, 0x03,
                                                  0x43, 0x10, 0x02};

struct CardSessionOptions {
  // PIN1 (CHV1) digits; VERIFY is sent when a READ/UPDATE answers "security
  // status not satisfied" (6982, GSM 9804) and at most once per session
  // with a given PIN: a rejected PIN is never retried automatically, so a
  // session cannot block the card by itself.
  std::optional<std::string> pin1;
  // Bytes per READ BINARY (1..256; 256 is sent as Le=00). cp.md §3: a
  // document may be larger than one READ BINARY.
  std::size_t read_chunk = 256;
  // Bytes per UPDATE BINARY (1..255, short Lc).
  std::size_t write_chunk = 255;
  // Detection order: try CLA 00 (UICC) first as pySim does, then CLA A0.
  // Set to force the GSM command set even on a card that answers both.
  bool prefer_gsm_class = false;
  // R-UIM: DF.CDMA FID (UNCERTAIN, C.S0023 §3.1 from memory; ruim.xml).
  std::uint16_t df_cdma = 0x7F25;
  ApduTraceFn trace;
};

// What a SELECT told about a file.
struct FileInfo {
  codec::Bytes path;  // absolute (3F00 ...) or the AID for an ADF
  std::string name;   // for diagnostics ("EF.ODF")
  bool is_df = false;
  bool transparent = true;
  std::size_t size = 0;         // EF body size (transparent) or total
  std::size_t record_size = 0;  // record EFs
  std::size_t record_count = 0;
};

class CardSession {
 public:
  explicit CardSession(reader::CardReader& reader,
                       CardSessionOptions options = {});

  // Powers the card up (ATR), detects its kind and reads the ICCID. Fails
  // when no card is present, the reader breaks or the card answers neither
  // class.
  codec::Status Open();
  void Close();
  bool is_open() const { return open_; }

  const codec::Bytes& atr() const { return atr_; }
  CardKind kind() const { return kind_; }
  // CLA A0 command set in use (2G SIM, R-UIM).
  bool gsm() const { return gsm_; }
  const std::string& iccid() const { return iccid_; }
  // EF.DIR templates read during detection (UICC mode; may be empty).
  const std::vector<codec::pkcs15::ApplicationTemplate>& applications() const {
    return apps_;
  }
  // Why EF.DIR could not be read or parsed (absent = read fine).
  const std::optional<codec::Diagnostic>& dir_error() const {
    return dir_error_;
  }
  const CardSessionOptions& options() const { return options_; }

  // EF.ICCID 2FE2 (TS 102 221 §13.2): BCD, nibbles swapped, F padded.
  codec::Result<std::string> ReadIccid();
  // The subscriber identity: EF.IMSI 6F07 (TS 31.102 §4.2.2 / GSM 11.11
  // §10.3.2) on a SIM/USIM; EF.IMSI_M 6F22 (C.S0005 §2.3.1 coding,
  // UNCERTAIN layout as Android RuimRecords) on an R-UIM/CSIM. Needs PIN1 on
  // the shipped profiles.
  codec::Result<std::string> ReadImsi();

  // Sets the PIN used on demand (clears a previous rejection).
  void SetPin1(std::string pin);
  // VERIFY PIN1 now. Wrong ⇒ error "... N tries left" (63Cx; GSM: 9804 and
  // the CHV1 status byte); blocked ⇒ error (6983 / 9840).
  codec::Status VerifyPin1(std::string_view pin);
  // Tries left without presenting a PIN (VERIFY without data, TS 102 221
  // §11.1.9; GSM: STATUS → CHV1 status byte). 0 = blocked.
  codec::Result<int> Pin1TriesLeft();

  // --- file primitives (provsc.h) -----------------------------------------
  // SELECT by absolute path (starts with 3F00).
  codec::Result<FileInfo> SelectPath(codec::ByteView absolute_path,
                                     std::string_view name);
  // SELECT by AID (UICC only), then optionally a path relative to it.
  codec::Result<FileInfo> SelectAid(codec::ByteView aid, std::string_view name);
  codec::Result<FileInfo> SelectRelative(codec::ByteView path,
                                         std::string_view name);
  // READ BINARY of the selected EF, [offset, offset+length), in chunks.
  // Verifies PIN1 on 6982/9804 if one is set.
  codec::Result<codec::Bytes> ReadBinary(const FileInfo& ef, std::size_t offset,
                                         std::size_t length);
  codec::Status UpdateBinary(const FileInfo& ef, std::size_t offset,
                             codec::ByteView data);
  // Every record of the selected record EF (stops at 6A83 / 9402).
  codec::Result<std::vector<codec::Bytes>> ReadRecords(const FileInfo& ef);

  // One APDU with T=0 handling (61xx/9Fxx → GET RESPONSE, 6Cxx → resend),
  // traced. Returns data and SW; fails only on a transport error.
  struct Response {
    codec::Bytes data;
    std::uint16_t sw = 0;
  };
  codec::Result<Response> Exchange(codec::ByteView command,
                                   std::string_view purpose);
  // Status word of the last APDU answered (0 = none / transport failure):
  // lets a caller tell a refusal for want of PIN1/ADM (6982, 9804) from
  // other failures after ReadBinary / UpdateBinary failed.
  std::uint16_t last_sw() const { return last_sw_; }

 private:
  codec::Result<Response> Raw(codec::ByteView command,
                              std::string_view purpose);
  codec::Status Detect();
  void ReadEfDir();
  codec::Result<FileInfo> SelectFid(std::uint16_t fid, codec::Bytes path,
                                    std::string_view name);
  codec::Result<FileInfo> SelectByPath(codec::ByteView path, bool from_mf,
                                       std::string_view name);
  // On a security SW, VERIFY PIN1 (if known and not yet verified/rejected)
  // and report whether to retry.
  codec::Result<bool> SatisfySecurity(std::uint16_t sw, std::string_view what);
  std::uint8_t cla() const { return gsm_ ? 0xA0 : 0x00; }

  reader::CardReader& reader_;
  CardSessionOptions options_;
  bool open_ = false;
  bool gsm_ = false;
  CardKind kind_ = CardKind::kUnknown;
  codec::Bytes atr_;
  std::string iccid_;
  std::vector<codec::pkcs15::ApplicationTemplate> apps_;
  std::optional<codec::Diagnostic> dir_error_;
  codec::Bytes telecom_aid_;  // USIM or CSIM AID from EF.DIR
  bool pin_verified_ = false;
  std::uint16_t last_sw_ = 0;
  std::optional<codec::Diagnostic> pin_rejected_;
};

// Decoders with no I/O (exposed for tests and the fuzz target).
// EF.ICCID: nibble-swapped BCD, stops at the first F.
codec::Result<std::string> DecodeIccid(codec::ByteView ef);
// EF.IMSI: length byte (1..8), parity/type nibble, digits low nibble first.
codec::Result<std::string> DecodeImsi(codec::ByteView ef);
// EF.IMSI_M (10 bytes): MCC(3) + IMSI_11_12(2) + MIN (S2 3 + S1 7 digits).
codec::Result<std::string> DecodeImsiM(codec::ByteView ef);

}  // namespace omaiop::sim::handset::card
