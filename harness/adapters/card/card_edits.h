// Card preconditions and card-file checks shared by every adapter that has a
// virtual UICC (sim/uicc) in hand: the <card> edits of a test case
// (<write-file>, <set-pin>) applied to a profile before the card is made,
// and the comparison behind <check-card-file> (hex, or the file decoded and
// compared with an XML document structurally).
//
// Edits (testcases/schema/testcase.xsd, model script::CardEdit):
//   <write-file path="3F00/2FE2" hex="..."/>  transparent EF: the bytes from
//       offset 0, the rest of the file FF (the padding profiles use); with
//       record="N": record N, FF-padded to the record size. text="..." writes
//       UTF-8, file="..." the file's bytes as they are (no encoding). A file
//       path that does not exist, a DF, or content longer than the file is
//       an error (verdict error: the case cannot be set up).
//   <set-pin ref="PIN1|PIN2|ADM" state="enabled|disabled|verified|blocked"
//       value="1234" tries="2"/>  overwrites the PIN as the card keeps it
//       across sessions (sim/uicc PinStore::Restore): state blocked = 0 tries
//       left; tries = tries left (else the PIN's maximum); value = the new
//       PIN digits. "verified" cannot persist over a power-on (ISO 7816-4:
//       verification is per session), so it is applied as enabled with the
//       retry counter reset; the handset still has to VERIFY.
//
// <check-card-file path=... [record=N]> with
//   hex="..."      the bytes must be equal (trailing FF padding of a
//                  transparent EF ignored when hex is shorter); the failure
//                  names the first differing byte offset;
//   <xml>/xml-file the file (FF padding stripped) is decoded: WBXML (first
//                  octet 0x01..0x03; the language comes from the public id:
//                  CP wap-provisioningdoc, SyncML DM message, TNDS MgmtTree)
//                  or XML text, and compared with codec::XmlEquivalent; the
//                  failure names the XML path of the first difference.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "codec/bytes.h"
#include "codec/result.h"
#include "harness/adapters/adapter.h"
#include "harness/script/testcase.h"
#include "sim/uicc/file_system.h"
#include "sim/uicc/profile_loader.h"

namespace omaiop::harness::adapters {

// The rule named by check-card-file failures.
inline constexpr char kRuleCheckCardFile[] = "check-card-file";

// Path of a profile given by name ("csim": fixtures/uicc/csim.xml, looked up
// beside the case, then in the suite, then in the source tree) or by path.
std::string ResolveProfilePath(const script::TestCase& tc,
                               const std::string& profile);

// Loads `profile` and applies `edits` in order.
codec::Result<sim::uicc::Profile> LoadCardProfile(
    const script::TestCase& tc, const std::string& profile,
    std::span<const script::CardEdit> edits);

// Applies `edits` to `profile` (before Profile::MakeCard). Errors name the
// edit's file:line and what is wrong.
codec::Status ApplyCardEdits(const script::TestCase& tc,
                             std::span<const script::CardEdit> edits,
                             sim::uicc::Profile& profile);

// "3F00/7F10/6F3A" (or "3F007F106F3A") -> the FIDs as bytes; from the MF.
// A fresh virtual card of `profile` for case `tc`, with the preconditions'
// card edits applied when `with_edits` (LoadCardProfile + MakeCard).
codec::Result<std::shared_ptr<sim::uicc::Card>> MakeCaseCard(
    const script::TestCase& tc, const std::string& profile, bool with_edits);

codec::Result<codec::Bytes> ParseFidPath(std::string_view text);
// The file at `path` (FIDs from the MF) or an error naming the missing FID.
codec::Result<sim::uicc::FileRef> FindCardFile(const sim::uicc::FileSystem& fs,
                                               std::string_view path);
// A transparent EF's body, or record `record` (1-based) of a record EF, read
// from the file system directly (no access conditions: the harness looks
// at the card as a test tool, not as the handset).
codec::Result<codec::Bytes> ReadCardFile(const sim::uicc::FileSystem& fs,
                                         std::string_view path,
                                         std::uint32_t record = 0);

// The <check-card-file> verdict for the file content `got`.
StepOutcome CompareCardFile(const script::TestCase& tc,
                            const script::CheckCardFileStep& c,
                            codec::ByteView got);

// Decodes a card file for comparison: FF padding stripped, then WBXML or
// XML text. Returns the XML text (pretty) or why it does not decode.
codec::Result<std::string> DecodeCardDocument(codec::ByteView file);

}  // namespace omaiop::harness::adapters
