// SyncML 1.2 (page 0), MetInf 1.2 (page 1) and DM DDF 1.2 / TNDS (page 2)
// WBXML tag tokens and namespaces: dm.md §3.9 (libwbxml src/wbxml_tables.c).
// These languages have no attribute tokens.
#include "codec/wbxml_language.h"

namespace omaiop::codec {

namespace {

const char kSyncMlNs[] = "SYNCML:SYNCML1.2";
const char kMetInfNs[] = "syncml:metinf";
const char kDmDdfNs[] = "syncml:dmddf1.2";

const std::vector<WbxmlTagToken> kSyncMl = {
    {0, 0x05, "Add"},
    {0, 0x06, "Alert"},
    {0, 0x07, "Archive"},
    {0, 0x08, "Atomic"},
    {0, 0x09, "Chal"},
    {0, 0x0A, "Cmd"},
    {0, 0x0B, "CmdID"},
    {0, 0x0C, "CmdRef"},
    {0, 0x0D, "Copy"},
    {0, 0x0E, "Cred"},
    {0, 0x0F, "Data"},
    {0, 0x10, "Delete"},
    {0, 0x11, "Exec"},
    {0, 0x12, "Final"},
    {0, 0x13, "Get"},
    {0, 0x14, "Item"},
    {0, 0x15, "Lang"},
    {0, 0x16, "LocName"},
    {0, 0x17, "LocURI"},
    {0, 0x18, "Map"},
    {0, 0x19, "MapItem"},
    {0, 0x1A, "Meta"},
    {0, 0x1B, "MsgID"},
    {0, 0x1C, "MsgRef"},
    {0, 0x1D, "NoResp"},
    {0, 0x1E, "NoResults"},
    {0, 0x1F, "Put"},
    {0, 0x20, "Replace"},
    {0, 0x21, "RespURI"},
    {0, 0x22, "Results"},
    {0, 0x23, "Search"},
    {0, 0x24, "Sequence"},
    {0, 0x25, "SessionID"},
    {0, 0x26, "SftDel"},
    {0, 0x27, "Source"},
    {0, 0x28, "SourceRef"},
    {0, 0x29, "Status"},
    {0, 0x2A, "Sync"},
    {0, 0x2B, "SyncBody"},
    {0, 0x2C, "SyncHdr"},
    {0, 0x2D, "SyncML"},
    {0, 0x2E, "Target"},
    {0, 0x2F, "TargetRef"},  // 0x30 reserved for future use
    {0, 0x31, "VerDTD"},
    {0, 0x32, "VerProto"},
    {0, 0x33, "NumberOfChanges"},
    {0, 0x34, "MoreData"},
    {0, 0x35, "Field"},
    {0, 0x36, "Filter"},
    {0, 0x37, "Record"},
    {0, 0x38, "FilterType"},
    {0, 0x39, "SourceParent"},
    {0, 0x3A, "TargetParent"},
    {0, 0x3B, "Move"},
    {0, 0x3C, "Correlator"},
};

const std::vector<WbxmlTagToken> kMetInf = {
    {1, 0x05, "Anchor"},    {1, 0x06, "EMI"},        {1, 0x07, "Format"},
    {1, 0x08, "FreeID"},    {1, 0x09, "FreeMem"},    {1, 0x0A, "Last"},
    {1, 0x0B, "Mark"},      {1, 0x0C, "MaxMsgSize"}, {1, 0x0D, "Mem"},
    {1, 0x0E, "MetInf"},    {1, 0x0F, "Next"},       {1, 0x10, "NextNonce"},
    {1, 0x11, "SharedMem"}, {1, 0x12, "Size"},       {1, 0x13, "Type"},
    {1, 0x14, "Version"},   {1, 0x15, "MaxObjSize"}, {1, 0x16, "FieldLevel"},
};

const std::vector<WbxmlTagToken> kDmDdf = {
    {2, 0x05, "AccessType"},   {2, 0x06, "ACL"},
    {2, 0x07, "Add"},          {2, 0x08, "b64"},
    {2, 0x09, "bin"},          {2, 0x0A, "bool"},
    {2, 0x0B, "chr"},          {2, 0x0C, "CaseSense"},
    {2, 0x0D, "CIS"},          {2, 0x0E, "Copy"},
    {2, 0x0F, "CS"},           {2, 0x10, "date"},
    {2, 0x11, "DDFName"},      {2, 0x12, "DefaultValue"},
    {2, 0x13, "Delete"},       {2, 0x14, "Description"},
    {2, 0x15, "DFFormat"},     {2, 0x16, "DFProperties"},
    {2, 0x17, "DFTitle"},      {2, 0x18, "DFType"},
    {2, 0x19, "Dynamic"},      {2, 0x1A, "Exec"},
    {2, 0x1B, "float"},        {2, 0x1C, "Format"},
    {2, 0x1D, "Get"},          {2, 0x1E, "int"},
    {2, 0x1F, "Man"},          {2, 0x20, "MgmtTree"},
    {2, 0x21, "MIME"},         {2, 0x22, "Mod"},
    {2, 0x23, "Name"},         {2, 0x24, "Node"},
    {2, 0x25, "node"},         {2, 0x26, "NodeName"},
    {2, 0x27, "null"},         {2, 0x28, "Occurrence"},
    {2, 0x29, "One"},          {2, 0x2A, "OneOrMore"},
    {2, 0x2B, "OneOrN"},       {2, 0x2C, "Path"},
    {2, 0x2D, "Permanent"},    {2, 0x2E, "Replace"},
    {2, 0x2F, "RTProperties"}, {2, 0x30, "Scope"},
    {2, 0x31, "Size"},         {2, 0x32, "time"},
    {2, 0x33, "Title"},        {2, 0x34, "TStamp"},
    {2, 0x35, "Type"},         {2, 0x36, "Value"},
    {2, 0x37, "VerDTD"},       {2, 0x38, "VerNo"},
    {2, 0x39, "xml"},          {2, 0x3A, "ZeroOrMore"},
    {2, 0x3B, "ZeroOrN"},      {2, 0x3C, "ZeroOrOne"},
};

std::vector<WbxmlTagToken> All() {
  std::vector<WbxmlTagToken> out = kSyncMl;
  out.insert(out.end(), kMetInf.begin(), kMetInf.end());
  out.insert(out.end(), kDmDdf.begin(), kDmDdf.end());
  return out;
}

}  // namespace

const WbxmlLanguage& SyncMlDmLanguage() {
  static const WbxmlLanguage lang(
      "SyncML 1.2 (DM)", 0x1201, "-//SYNCML//DTD SyncML 1.2//EN", "SyncML",
      All(), {}, {}, {{0, kSyncMlNs}, {1, kMetInfNs}, {2, kDmDdfNs}});
  return lang;
}

const WbxmlLanguage& MetInfLanguage() {
  static const WbxmlLanguage lang("MetInf 1.2", 0x1202,
                                  "-//SYNCML//DTD MetInf 1.2//EN", "MetInf",
                                  kMetInf, {}, {}, {{1, kMetInfNs}});
  return lang;
}

const WbxmlLanguage& TndsLanguage() {
  static const WbxmlLanguage lang("DM DDF 1.2 (TNDS)", 0,
                                  "-//OMA//DTD-DM-DDF 1.2//EN", "MgmtTree",
                                  kDmDdf, {}, {}, {{2, kDmDdfNs}});
  return lang;
}

}  // namespace omaiop::codec
