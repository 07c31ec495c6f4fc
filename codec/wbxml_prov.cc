// PROV (wap-provisioningdoc) WBXML tokens: cp.md §1.3 (WAP-183 ProvCont 1.0,
// OMA ProvCont 1.1 additions) and §1.4 (WLAN CR). Facts cross-checked with
// libwbxml's sv_prov10_* tables and Kannel's ota_compiler.c; spellings follow
// cp.md (libwbxml spells 0xB5/0xB6 "TRETRA-").
#include "codec/wbxml_language.h"

namespace omaiop::codec {

namespace {

using S = WbxmlAttrStartToken;
using V = WbxmlAttrValueToken;

const std::vector<WbxmlTagToken> kTags10 = {
    {0, 0x05, "wap-provisioningdoc"},
    {0, 0x06, "characteristic"},
    {0, 0x07, "parm"},
};
const std::vector<WbxmlTagToken> kTags11Page1 = {
    {1, 0x06, "characteristic"},
    {1, 0x07, "parm"},
};

// Code page 0 attribute starts of ProvCont 1.0.
const std::vector<S> kStarts10 = {
    {0, 0x05, "name", ""},
    {0, 0x06, "value", ""},
    {0, 0x07, "name", "NAME"},
    {0, 0x08, "name", "NAP-ADDRESS"},
    {0, 0x09, "name", "NAP-ADDRTYPE"},
    {0, 0x0A, "name", "CALLTYPE"},
    {0, 0x0B, "name", "VALIDUNTIL"},
    {0, 0x0C, "name", "AUTHTYPE"},
    {0, 0x0D, "name", "AUTHNAME"},
    {0, 0x0E, "name", "AUTHSECRET"},
    {0, 0x0F, "name", "LINGER"},
    {0, 0x10, "name", "BEARER"},
    {0, 0x11, "name", "NAPID"},
    {0, 0x12, "name", "COUNTRY"},
    {0, 0x13, "name", "NETWORK"},
    {0, 0x14, "name", "INTERNET"},
    {0, 0x15, "name", "PROXY-ID"},
    {0, 0x16, "name", "PROXY-PROVIDER-ID"},
    {0, 0x17, "name", "DOMAIN"},
    {0, 0x18, "name", "PROVURL"},
    {0, 0x19, "name", "PXAUTH-TYPE"},
    {0, 0x1A, "name", "PXAUTH-ID"},
    {0, 0x1B, "name", "PXAUTH-PW"},
    {0, 0x1C, "name", "STARTPAGE"},
    {0, 0x1D, "name", "BASAUTH-ID"},
    {0, 0x1E, "name", "BASAUTH-PW"},
    {0, 0x1F, "name", "PUSHENABLED"},
    {0, 0x20, "name", "PXADDR"},
    {0, 0x21, "name", "PXADDRTYPE"},
    {0, 0x22, "name", "TO-NAPID"},
    {0, 0x23, "name", "PORTNBR"},
    {0, 0x24, "name", "SERVICE"},
    {0, 0x25, "name", "LINKSPEED"},
    {0, 0x26, "name", "DNLINKSPEED"},
    {0, 0x27, "name", "LOCAL-ADDR"},
    {0, 0x28, "name", "LOCAL-ADDRTYPE"},
    {0, 0x29, "name", "CONTEXT-ALLOW"},
    {0, 0x2A, "name", "TRUST"},
    {0, 0x2B, "name", "MASTER"},
    {0, 0x2C, "name", "SID"},
    {0, 0x2D, "name", "SOC"},
    {0, 0x2E, "name", "WSP-VERSION"},
    {0, 0x2F, "name", "PHYSICAL-PROXY-ID"},
    {0, 0x30, "name", "CLIENT-ID"},
    {0, 0x31, "name", "DELIVERY-ERR-SDU"},
    {0, 0x32, "name", "DELIVERY-ORDER"},
    {0, 0x33, "name", "TRAFFIC-CLASS"},
    {0, 0x34, "name", "MAX-SDU-SIZE"},
    {0, 0x35, "name", "MAX-BITRATE-UPLINK"},
    {0, 0x36, "name", "MAX-BITRATE-DNLINK"},
    {0, 0x37, "name", "RESIDUAL-BER"},
    {0, 0x38, "name", "SDU-ERROR-RATIO"},
    {0, 0x39, "name", "TRAFFIC-HANDL-PRIO"},
    {0, 0x3A, "name", "TRANSFER-DELAY"},
    {0, 0x3B, "name", "GUARANTEED-BITRATE-UPLINK"},
    {0, 0x3C, "name", "GUARANTEED-BITRATE-DNLINK"},
    {0, 0x45, "version", ""},
    {0, 0x46, "version", "1.0"},
    {0, 0x50, "type", ""},
    {0, 0x51, "type", "PXLOGICAL"},
    {0, 0x52, "type", "PXPHYSICAL"},
    {0, 0x53, "type", "PORT"},
    {0, 0x54, "type", "VALIDITY"},
    {0, 0x55, "type", "NAPDEF"},
    {0, 0x56, "type", "BOOTSTRAP"},
    {0, 0x57, "type", "VENDORCONFIG"},
    {0, 0x58, "type", "CLIENTIDENTITY"},
    {0, 0x59, "type", "PXAUTHINFO"},
    {0, 0x5A, "type", "NAPAUTHINFO"},
};

// ProvCont 1.1 additions: page-0 starts and the whole of code page 1.
const std::vector<S> kStarts11 = {
    {0, 0x3D, "name", "PXADDR-FQDN"},
    {0, 0x3E, "name", "PROXY-PW"},
    {0, 0x3F, "name", "PPGAUTH-TYPE"},
    {0, 0x47, "name", "PULLENABLED"},
    {0, 0x48, "name", "DNS-ADDR"},
    {0, 0x49, "name", "MAX-NUM-RETRY"},
    {0, 0x4A, "name", "FIRST-RETRY-TIMEOUT"},
    {0, 0x4B, "name", "REREG-THRESHOLD"},
    {0, 0x4C, "name", "T-BIT"},
    // 0x4D is unassigned in every table (cp.md §1.3).
    {0, 0x4E, "name", "AUTH-ENTITY"},
    {0, 0x4F, "name", "SPI"},
    {0, 0x5B, "type", "ACCESS"},
    {1, 0x05, "name", ""},
    {1, 0x06, "value", ""},
    {1, 0x07, "name", "NAME"},
    {1, 0x14, "name", "INTERNET"},
    {1, 0x1C, "name", "STARTPAGE"},
    {1, 0x22, "name", "TO-NAPID"},
    {1, 0x23, "name", "PORTNBR"},
    {1, 0x24, "name", "SERVICE"},
    {1, 0x2E, "name", "AACCEPT"},
    {1, 0x2F, "name", "AAUTHDATA"},
    {1, 0x30, "name", "AAUTHLEVEL"},
    {1, 0x31, "name", "AAUTHNAME"},
    {1, 0x32, "name", "AAUTHSECRET"},
    {1, 0x33, "name", "AAUTHTYPE"},
    {1, 0x34, "name", "ADDR"},
    {1, 0x35, "name", "ADDRTYPE"},
    {1, 0x36, "name", "APPID"},
    {1, 0x37, "name", "APROTOCOL"},
    {1, 0x38, "name", "PROVIDER-ID"},
    {1, 0x39, "name", "TO-PROXY"},
    {1, 0x3A, "name", "URI"},
    {1, 0x3B, "name", "RULE"},
    {1, 0x50, "type", ""},
    {1, 0x53, "type", "PORT"},
    {1, 0x55, "type", "APPLICATION"},
    {1, 0x56, "type", "APPADDR"},
    {1, 0x57, "type", "APPAUTH"},
    {1, 0x58, "type", "CLIENTIDENTITY"},
    {1, 0x59, "type", "RESOURCE"},
};

// WLAN change request (OMA-DM-CP-2005-001R02), as Kannel encodes it
// (cp.md §1.4, UNCERTAIN: which ProvCont version carries it is unknown).
// ENCAPS is deliberately absent: Kannel gives it 0x5B, which collides with
// type=SEC-SSID on the same page (the CR probably says 0x4A or 0x4B). Without
// a token, name="ENCAPS" is encoded as `name=` + inline string, which every
// decoder reads correctly.
const std::vector<S> kStartsWlan = {
    {1, 0x3C, "name", "APPREF"},
    {1, 0x3D, "name", "TO-APPREF"},
    {1, 0x3E, "name", "PRI-SSID"},
    {1, 0x3F, "name", "PRI-U-SSID"},
    {1, 0x45, "name", "EAPTYPE"},
    {1, 0x46, "name", "USERNAME"},
    {1, 0x47, "name", "PASSWORD"},
    {1, 0x48, "name", "REALM"},
    {1, 0x49, "name", "USE-PSEUD"},
    {1, 0x4C, "name", "VER-SER-REALM"},
    {1, 0x4D, "name", "CLIENT-AUTH"},
    {1, 0x4E, "name", "SES-VAL-TIME"},
    {1, 0x4F, "name", "CIP-SUIT"},
    {1, 0x5A, "type", "WLAN"},
    {1, 0x5B, "type", "SEC-SSID"},
    {1, 0x5C, "type", "EAP"},
    {1, 0x5D, "type", "CERT"},
    {1, 0x5E, "type", "WEPKEY"},
    {1, 0x60, "name", "PEAP-V0"},
    {1, 0x61, "name", "PEAP-V1"},
    {1, 0x62, "name", "PEAP-V2"},
    {1, 0x63, "name", "ISS-NAME"},
    {1, 0x64, "name", "SUB-NAME"},
    {1, 0x65, "name", "CERT-TYPE"},
    {1, 0x66, "name", "SER-NUM"},
    {1, 0x67, "name", "SUB-KEY-ID"},
    {1, 0x68, "name", "THUMBPRINT"},
    {1, 0x69, "name", "WPA-PRES-KEY-ASC"},
    {1, 0x6A, "name", "WPA-PRES-KEY-HEX"},
    {1, 0x6B, "name", "WEPKEYIND"},
    {1, 0x6C, "name", "WEPAUTHMODE"},
    {1, 0x6D, "name", "LENGTH"},
    {1, 0x6E, "name", "INDEX"},
    {1, 0x6F, "name", "DATA"},
    {1, 0x70, "name", "WLANHAND"},
    {1, 0x71, "name", "EDIT-SET"},
    {1, 0x72, "name", "VIEW-SET"},
    {1, 0x73, "name", "FORW-SET"},
    // Kannel-only page-0 characteristic types (unverified against the spec).
    {0, 0x5C, "type", "BEARERINFO"},
    {0, 0x5D, "type", "DNS-ADDRINFO"},
};
// 0x40..0x44 are global tokens in every code space; the WLAN names Kannel
// puts there (PRI-H-SSID 0x40, S-SSID 0x41, S-U-SSID 0x42, NETMODE 0x43,
// SECMODE 0x44) cannot be attribute starts in WBXML 1.3 §5.8.1 and are left
// out: they are encoded as `name=` + string.

const std::vector<V> kValues10 = {
    {0, 0x85, "IPV4"},
    {0, 0x86, "IPV6"},
    {0, 0x87, "E164"},
    {0, 0x88, "ALPHA"},
    {0, 0x89, "APN"},
    {0, 0x8A, "SCODE"},
    {0, 0x8B, "TETRA-ITSI"},
    {0, 0x8C, "MAN"},
    {0, 0x90, "ANALOG-MODEM"},
    {0, 0x91, "V.120"},
    {0, 0x92, "V.110"},
    {0, 0x93, "X.31"},
    {0, 0x94, "BIT-TRANSPARENT"},
    {0, 0x95, "DIRECT-ASYNCHRONOUS-DATA-SERVICE"},
    {0, 0x9A, "PAP"},
    {0, 0x9B, "CHAP"},
    {0, 0x9C, "HTTP-BASIC"},
    {0, 0x9D, "HTTP-DIGEST"},
    {0, 0x9E, "WTLS-SS"},
    {0, 0xA2, "GSM-USSD"},
    {0, 0xA3, "GSM-SMS"},
    {0, 0xA4, "ANSI-136-GUTS"},
    {0, 0xA5, "IS-95-CDMA-SMS"},
    {0, 0xA6, "IS-95-CDMA-CSD"},
    {0, 0xA7, "IS-95-CDMA-PACKET"},
    {0, 0xA8, "ANSI-136-CSD"},
    {0, 0xA9, "ANSI-136-GPRS"},
    {0, 0xAA, "GSM-CSD"},
    {0, 0xAB, "GSM-GPRS"},
    {0, 0xAC, "AMPS-CDPD"},
    {0, 0xAD, "PDC-CSD"},
    {0, 0xAE, "PDC-PACKET"},
    {0, 0xAF, "IDEN-SMS"},
    {0, 0xB0, "IDEN-CSD"},
    {0, 0xB1, "IDEN-PACKET"},
    {0, 0xB2, "FLEX/REFLEX"},
    {0, 0xB3, "PHS-SMS"},
    {0, 0xB4, "PHS-CSD"},
    {0, 0xB5, "TETRA-SDS"},
    {0, 0xB6, "TETRA-PACKET"},
    {0, 0xB7, "ANSI-136-GHOST"},
    {0, 0xB8, "MOBITEX-MPAK"},
    {0, 0xC5, "AUTOBAUDING"},
    {0, 0xCA, "CL-WSP"},
    {0, 0xCB, "CO-WSP"},
    {0, 0xCC, "CL-SEC-WSP"},
    {0, 0xCD, "CO-SEC-WSP"},
    {0, 0xCE, "CL-SEC-WTA"},
    {0, 0xCF, "CO-SEC-WTA"},
};

const std::vector<V> kValues11 = {
    {0, 0x9F, "MD5"},
    {0, 0xB9, "CDMA2000-1X-SIMPLE-IP"},
    {0, 0xBA, "CDMA2000-1X-MOBILE-IP"},
    {0, 0xD0, "OTA-HTTP-TO"},
    {0, 0xD1, "OTA-HTTP-TLS-TO"},
    {0, 0xD2, "OTA-HTTP-PO"},
    {0, 0xD3, "OTA-HTTP-TLS-PO"},
    {0, 0xE0, "AAA"},
    {0, 0xE1, "HA"},
    {1, 0x86, "IPV6"},
    {1, 0x87, "E164"},
    {1, 0x88, "ALPHA"},
    {1, 0x8D, "APPSRV"},
    {1, 0x8E, "OBEX"},
    // AAUTHTYPE pieces: 0x90..0x93 since ProvCont 1.1 2005 (the 2002 draft
    // had 0x80..0x83, which collide with global EXT_T/STR_T; cp.md §1.3).
    {1, 0x90, ","},
    {1, 0x91, "HTTP-"},
    {1, 0x92, "BASIC"},
    {1, 0x93, "DIGEST"},
};

// Kannel-only bearer values (cp.md §1.3, unverified against the spec text).
const std::vector<V> kValuesWlan = {
    {0, 0xBB, "3G-GSM"},
    {0, 0xBC, "WLAN"},
};

template <typename T>
std::vector<T> Concat(std::initializer_list<const std::vector<T>*> parts) {
  std::vector<T> out;
  for (auto* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

WbxmlLanguage MakeProv(ProvVersion v) {
  const char* name = v == ProvVersion::k10   ? "PROV 1.0"
                     : v == ProvVersion::k11 ? "PROV 1.1"
                                             : "PROV 1.1 + WLAN";
  std::vector<WbxmlTagToken> tags = kTags10;
  std::vector<S> starts = kStarts10;
  std::vector<V> values = kValues10;
  if (v != ProvVersion::k10) {
    tags = Concat<WbxmlTagToken>({&kTags10, &kTags11Page1});
    starts = Concat<S>({&kStarts10, &kStarts11});
    values = Concat<V>({&kValues10, &kValues11});
  }
  if (v == ProvVersion::k11Wlan) {
    starts = Concat<S>({&starts, &kStartsWlan});
    values = Concat<V>({&values, &kValuesWlan});
  }
  return WbxmlLanguage(name, 0x0B, "-//WAPFORUM//DTD PROV 1.0//EN",
                       "wap-provisioningdoc", std::move(tags),
                       std::move(starts), std::move(values), {});
}

}  // namespace

const WbxmlLanguage& ProvLanguage(ProvVersion version) {
  static const WbxmlLanguage k10 = MakeProv(ProvVersion::k10);
  static const WbxmlLanguage k11 = MakeProv(ProvVersion::k11);
  static const WbxmlLanguage k11w = MakeProv(ProvVersion::k11Wlan);
  switch (version) {
    case ProvVersion::k10:
      return k10;
    case ProvVersion::k11:
      return k11;
    case ProvVersion::k11Wlan:
      return k11w;
  }
  return k11;
}

}  // namespace omaiop::codec
