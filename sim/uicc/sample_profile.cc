#include "sim/uicc/sample_profile.h"

#include <cstdlib>

namespace omaiop::sim::uicc {
namespace {

using AC = AccessCondition;

Bytes Hex(std::string_view hex) {
  auto r = codec::ParseHex(hex);
  return r.ok() ? *r : Bytes{};
}

// The sample tree is constant input; a failure here is a programming error
// in this file, caught by every test that uses it.
FileRef Must(codec::Result<FileRef> r) {
  if (!r.ok()) std::abort();
  return *r;
}

}  // namespace

Bytes SampleUsimAid() { return Hex("A0000000871002FF49FF058900000000"); }
Bytes SampleIsimAid() { return Hex("A0000000871004FF49FF058900000000"); }
Bytes Pkcs15Aid() { return Hex("A000000063504B43532D3135"); }

FileSystem SampleFileSystem() {
  FileSystem fs;
  const FileRef mf = fs.mf();
  // EF.ICCID 8949440000001234567 (TS 102 221 §13.2), nibble-swapped BCD.
  Must(fs.Add(mf, FileSpec::Transparent(0x2FE2, Hex("98944400000021436587"))
                      .WithSfi(0x02)
                      .WithName("EF.ICCID")
                      .WithUpdate(AC::kNever)));
  Must(fs.Add(mf, FileSpec::Transparent(0x2F05, codec::AsBytes("enfrde"))
                      .WithSfi(0x05)
                      .WithName("EF.PL")
                      .WithUpdate(AC::kPin1)));

  const FileRef telecom = Must(fs.Add(mf, FileSpec::Df(0x7F10, "DF.TELECOM")));
  Must(fs.Add(telecom,
              FileSpec::LinearFixed(0x6F3A, 30, 5)
                  .WithName("EF.ADN")
                  .WithAccess(AccessRules::ReadUpdate(AC::kPin1, AC::kPin1))));
  Must(fs.Add(telecom,
              FileSpec::LinearFixed(0x6F3C, 176, 3)
                  .WithName("EF.SMS")
                  .WithAccess(AccessRules::ReadUpdate(AC::kPin1, AC::kPin1))));

  const FileRef gsm = Must(fs.Add(mf, FileSpec::Df(0x7F20, "DF.GSM")));
  Must(fs.Add(gsm,
              FileSpec::Transparent(0x6F07, Hex("080910101032547698"))
                  .WithName("EF.IMSI")
                  .WithAccess(AccessRules::ReadUpdate(AC::kPin1, AC::kAdm))));

  // PKCS#15 application DF as OpenSC reads it (uicc.md §4).
  const FileRef p15 =
      Must(fs.Add(mf, FileSpec::Df(0x5015, "PKCS15").WithDfName(Pkcs15Aid())));
  Must(fs.Add(p15, FileSpec::Transparent(0x5031, Hex("A7063004040244 01"))
                       .WithName("EF.ODF")));
  Must(fs.Add(
      p15,
      FileSpec::Transparent(
          0x5032, Hex("3026020100040501234567890C0844656D6F204D6672800C5669"
                      "727475616C2055494343030200 00"))
          .WithName("EF.TokenInfo")));
  // DODF with one public opaque data object (PKCS#15 v1.1 §6.7; bytes as in
  // uicc.md §4): label "provisioning-doc", application "prov", OID
  // 1.3.6.1.4.1.99999.1, path 4501 relative to the PKCS#15 DF. XML profiles
  // carry the real CP/DM provisioning objects.
  Must(fs.Add(p15, FileSpec::Transparent(
                       0x4401, Hex("302F30120C1070726F766973696F6E696E672D"
                                   "646F6330110C0470726F76 06092B0601040186"
                                   "8D1F01A106300404024501"))
                       .WithName("EF.DODF")));
  Must(fs.Add(p15, FileSpec::Transparent(
                       0x4501, codec::AsBytes("omaiop sample provisioning doc"))
                       .WithName("EF.DataObject")));

  const FileRef usim =
      Must(fs.Add(mf, FileSpec::Adf(0x7FF0, SampleUsimAid(), "USIM")));
  Must(fs.Add(usim,
              FileSpec::Transparent(0x6F07, Hex("080910101032547698"))
                  .WithSfi(0x07)
                  .WithName("EF.IMSI")
                  .WithAccess(AccessRules::ReadUpdate(AC::kPin1, AC::kAdm))));
  Must(fs.Add(usim, FileSpec::Transparent(0x6FAD, Hex("00000002"))
                        .WithSfi(0x03)
                        .WithName("EF.AD")
                        .WithUpdate(AC::kAdm)));
  Must(fs.Add(usim,
              FileSpec::Transparent(0x6F7E, Hex("FFFFFFFF00F110FFFE0000"))
                  .WithSfi(0x0B)
                  .WithName("EF.LOCI")
                  .WithAccess(AccessRules::ReadUpdate(AC::kPin1, AC::kPin1))));
  Must(fs.Add(usim,
              FileSpec::LinearFixed(0x6F3B, 20, 4, {codec::Bytes(20, 0x11)})
                  .WithName("EF.FDN")
                  .WithAccess(AccessRules::ReadUpdate(AC::kPin1, AC::kPin2))));
  Must(fs.Add(usim,
              FileSpec::LinearFixed(0x6F42, 28, 2)
                  .WithName("EF.SMSP")
                  .WithAccess(AccessRules::ReadUpdate(AC::kPin1, AC::kPin1))));
  Must(fs.Add(usim,
              FileSpec::Cyclic(
                  0x6F39, 3, 4,
                  {Hex("000004"), Hex("000003"), Hex("000002"), Hex("000001")})
                  .WithName("EF.ACM")
                  .WithAccess(AccessRules::ReadUpdate(AC::kPin1, AC::kPin1))));
  Must(fs.Add(usim,
              FileSpec::Transparent(0x6F08, 33)
                  .WithName("EF.KEYS")
                  .WithSfi(0x08)
                  .WithAccess(AccessRules::ReadUpdate(AC::kPin1, AC::kNever))));

  const FileRef isim =
      Must(fs.Add(mf, FileSpec::Adf(0x7FF1, SampleIsimAid(), "ISIM")));
  Must(fs.Add(isim, FileSpec::Transparent(
                        0x6F02, codec::AsBytes("001010123456789@ims.example"))
                        .WithName("EF.IMPI")
                        .WithRead(AC::kPin1)));

  // EF.DIR (TS 102 221 §13.1): USIM and ISIM, then the PKCS#15 application
  // with its path (PKCS#15 v1.1 §5.4) so that OpenSC's pkcs15-tool binds to
  // it; OpenSC moves known PKCS#15 AIDs to the front, so handsets still find
  // the USIM in record 1. The PKCS#15 record (22 bytes) is FF-padded to 26.
  Bytes p15_record = Hex("61144F0CA000000063504B43532D313551043F005015");
  p15_record.resize(26, 0xFF);
  Must(fs.Add(mf, FileSpec::LinearFixed(
                      kEfDirFid, 26, 3,
                      {EfDirRecord(SampleUsimAid(), "USIM"),
                       EfDirRecord(SampleIsimAid(), "ISIM"), p15_record})
                      .WithSfi(kEfDirSfi)
                      .WithName("EF.DIR")));
  return fs;
}

}  // namespace omaiop::sim::uicc
