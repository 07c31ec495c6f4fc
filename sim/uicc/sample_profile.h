// A small built-in UICC profile (MF with EF.DIR/ICCID, DF.TELECOM, DF.GSM, a
// PKCS#15 DF, ADF.USIM and ADF.ISIM) used by the unit tests, the fuzz
// target and the benchmark, and as an example of the builder API. XML
// profiles (issue 3) will replace it for real use.
#pragma once

#include "codec/bytes.h"
#include "sim/uicc/file_system.h"

namespace omaiop::sim::uicc {

// AIDs used by the sample profile.
codec::Bytes SampleUsimAid();  // A0000000871002 FF 49 FF 05 89 ...
codec::Bytes SampleIsimAid();  // A0000000871004 FF 49 FF 05 89 ...
codec::Bytes Pkcs15Aid();      // A000000063 "PKCS-15"

// The tree (see sample_profile.cc for every file, its FID, SFI, access
// rules and contents). EF.IMSI holds IMSI 001010123456789.
FileSystem SampleFileSystem();

}  // namespace omaiop::sim::uicc
