// Test-only: a synthetic finished campaign with one case per verdict, an
// APDU trace, a WSP push, an HTTP exchange, highlighted offending bytes and
// hostile strings in every text field a report shows.
#pragma once

#include <string>

#include "codec/smpp.h"
#include "reports/campaign.h"

namespace omaiop::reports::testing {

// Strings that break a report that forgets to escape.
inline const std::string kHostileScript =
    "</script><script>document.title='pwned'</script>";
inline const std::string kHostileImg = "<img src=x onerror=\"alert(1)\">";
inline const std::string kHostileQuotes = "\"quoted' & 'single\" ]]> --> <!--";
inline const std::string kHostileBytes =
    std::string("bad \xFF\xFE utf8 \x01\x1B ctl");

inline codec::Bytes Hex(const char* h) { return codec::ParseHex(h).value(); }

// WSP connectionless push (TID 01, PDU type 06, content type 0xB6
// application/vnd.wap.connectivity-wbxml) of fixtures/cp/napdef_min.wbxml.
inline codec::Bytes SamplePush() {
  return Hex(
      "010601B6"
      "030b6a00c54601c65501871106034e4150310001870706034578616d706c6520475052"
      "530001871006ab0187080603696e7465726e65742e6578616d706c650001870906890101"
      "01");
}

inline Campaign SampleCampaign() {
  constexpr std::uint64_t t0 = 1795735500000000ull;  // 2026-11-26T...
  Campaign c;
  c.version = "0.1.0";
  c.started_us = t0;
  c.finished_us = t0 + 9000000;
  c.iut = {"Vendor " + kHostileQuotes, "simulated"};

  auto apdu = [](std::uint64_t t, const char* cmd, const char* rsp,
                 const std::string& summary) {
    TraceEntry e;
    e.time_us = t;
    e.source = source::kHandset;
    e.peer = source::kUicc;
    e.kind = kind::kApdu;
    e.direction = Direction::kOut;
    e.summary = summary;
    e.raw = Hex(cmd);
    e.response = Hex(rsp);
    return e;
  };

  CaseResult pass;
  pass.id = "CP-BOOT-SEC-001";
  pass.title = "NETWPIN bootstrap is accepted";
  pass.purpose = "The handset accepts a push whose MAC verifies.";
  pass.requirements = {"CP-BOOT-R-001", "CP-SEC-R-004"};
  pass.spec_refs = {"OMA-WAP-ProvBoot §5.3"};
  pass.role = "push server";
  pass.iut = "handset";
  pass.verdict = Verdict::kPass;
  pass.reason = "MAC verified (ProvBoot §5.3)";
  pass.started_us = t0 + 1000;
  pass.duration_us = 1250000;
  pass.steps = {
      {1, "push", "push napdef_min", Verdict::kPass, "delivered", "", 1000},
      {2, "check_setting", "NAP1 stored", Verdict::kPass, "setting present", "",
       2000}};
  {
    TraceEntry push;
    push.time_us = t0 + 2000;
    push.source = source::kServer;
    push.peer = source::kHandset;
    push.kind = kind::kWspPush;
    push.direction = Direction::kOut;
    push.summary = "WSP push, application/vnd.wap.connectivity-wbxml";
    push.raw = SamplePush();
    push.decoded = "WSP Push\n  TID: 0x01\n  Content-Type: 0xB6";
    // The push server's SMPP session with omaiop's SMSC: bind, the push in
    // one submit_sm (UDH: WDP ports 9200 -> 2948), the responses.
    auto smpp = [&](std::uint64_t t, Direction d, codec::SmppPdu pdu) {
      TraceEntry e;
      e.time_us = t;
      e.source = source::kSmsc;
      e.peer = source::kServer;
      e.kind = kind::kSmppPdu;
      e.direction = d;
      e.summary = codec::SummarizeSmppPdu(pdu);
      e.raw = codec::EncodeSmppPdu(pdu);
      return e;
    };
    auto pdu = [](std::uint32_t id, std::uint32_t seq, codec::SmppBody body) {
      codec::SmppPdu p;
      p.command_id = id;
      p.sequence_number = seq;
      p.body = std::move(body);
      return p;
    };
    codec::SmppBind bind;
    bind.system_id = "pushsrv";
    bind.password = "secret";
    pass.trace.push_back(smpp(t0 + 900, Direction::kIn,
                              pdu(codec::smpp_cmd::kBindTransmitter, 1, bind)));
    codec::SmppBindResp bound;
    bound.system_id = "omaiop";
    pass.trace.push_back(
        smpp(t0 + 950, Direction::kOut,
             pdu(codec::smpp_cmd::kBindTransmitterResp, 1, bound)));
    codec::SmppSm sm;
    sm.destination_addr = "4917012345678";
    sm.esm_class = 0x40;    // UDHI
    sm.data_coding = 0x04;  // 8-bit
    sm.short_message = Hex("0605040B8423F0");
    const codec::Bytes wsp = SamplePush();
    sm.short_message.insert(sm.short_message.end(), wsp.begin(), wsp.end());
    pass.trace.push_back(
        smpp(t0 + 960, Direction::kIn, pdu(codec::smpp_cmd::kSubmitSm, 2, sm)));
    codec::SmppSmResp accepted;
    accepted.message_id = "1";
    pass.trace.push_back(
        smpp(t0 + 970, Direction::kOut,
             pdu(codec::smpp_cmd::kSubmitSmResp, 2, accepted)));
    pass.trace.push_back(push);
    pass.trace.push_back(
        apdu(t0 + 3000, "00A4000C023F00", "9000", "SELECT MF"));
    pass.trace.push_back(apdu(t0 + 4000, "00B0000008", "08499999000000109000",
                              "READ BINARY EF_IMSI"));
    TraceEntry decide;
    decide.time_us = t0 + 5000;
    decide.source = source::kHandset;
    decide.kind = kind::kDecision;
    decide.summary = "MAC verifies: accept document";
    decide.rule = "OMA-WAP-ProvBoot §5.3";
    pass.trace.push_back(decide);
  }

  CaseResult fail;
  fail.id = "CP-BOOT-SEC-003";
  fail.title = kHostileScript;
  fail.purpose = kHostileImg;
  fail.requirements = {"CP-SEC-R-004", kHostileQuotes};
  fail.spec_refs = {"OMA-WAP-ProvBoot §5.3", kHostileBytes};
  fail.role = "push server";
  fail.iut = "handset";
  fail.verdict = Verdict::kFail;
  fail.reason =
      "handset accepted a push with a wrong MAC (ProvBoot §5.3) " + kHostileImg;
  fail.rule = "OMA-WAP-ProvBoot §5.3";
  fail.started_us = t0 + 2000000;
  fail.duration_us = 2500000;
  fail.steps = {
      {1, "push", "push with wrong MAC " + kHostileScript, Verdict::kPass,
       "delivered", "", 1000},
      {2, "expect_status", "expect rejection", Verdict::kFail,
       "document installed " + kHostileQuotes, "OMA-WAP-ProvBoot §5.3", 3000}};
  {
    TraceEntry push;
    push.time_us = t0 + 2001000;
    push.source = source::kServer;
    push.peer = source::kHandset;
    push.kind = kind::kWspPush;
    push.direction = Direction::kOut;
    push.summary = "push with MAC " + kHostileScript;
    push.raw = SamplePush();
    push.decoded = "WSP Push " + kHostileImg;
    push.highlights = {{4, 4, "WBXML header " + kHostileImg, false}};
    fail.trace.push_back(push);
    TraceEntry verify = apdu(t0 + 2002000, "002000010831323334FFFFFFFF", "63C2",
                             "VERIFY PIN " + kHostileQuotes);
    verify.highlights = {{0, 2, "wrong PIN: 2 tries left", true}};
    fail.trace.push_back(verify);
    TraceEntry decide;
    decide.time_us = t0 + 2003000;
    decide.source = source::kHandset;
    decide.kind = kind::kDecision;
    decide.summary = "installed despite MAC mismatch " + kHostileBytes;
    decide.rule = "OMA-WAP-ProvBoot §5.3";
    fail.trace.push_back(decide);
  }

  CaseResult inconc;
  inconc.id = "CP-CONT-001";
  inconc.title = "Continuous provisioning push";
  inconc.purpose = "no answer within the timeout";
  inconc.requirements = {"CP-CONT-R-001"};
  inconc.verdict = Verdict::kInconc;
  inconc.reason = "timeout waiting for the SMS (30 s)";
  inconc.started_us = t0 + 5000000;
  inconc.duration_us = 30000000;
  inconc.steps = {{1, "wait_sms", "wait for the push", Verdict::kInconc,
                   "timeout", "", 30000000}};

  CaseResult error;
  error.id = "DM-SC-002";
  error.title = "DM session over HTTP";
  error.purpose = "server reachable";
  error.requirements = {"DM-SC-R-002"};
  error.spec_refs = {"OMA-TS-DM-SmartCard §6"};
  error.role = "handset";
  error.iut = "dm server";
  error.verdict = Verdict::kError;
  error.reason = "server closed the connection after HTTP 500";
  error.started_us = t0 + 6000000;
  error.duration_us = 800000;
  error.steps = {{1, "dm_session", "start a session", Verdict::kError,
                  "HTTP 500", "", 800000}};
  {
    const std::string body = "<SyncML><SyncHdr/></SyncML>";
    const std::string req =
        "POST /dm HTTP/1.1\r\nHost: 127.0.0.2\r\nContent-Type: "
        "application/vnd.syncml.dm+xml\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    const std::string rsp_body = "oops " + kHostileScript;
    const std::string rsp =
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: "
        "text/plain\r\nContent-Length: " +
        std::to_string(rsp_body.size()) + "\r\n\r\n" + rsp_body;
    TraceEntry http;
    http.time_us = t0 + 6001000;
    http.source = source::kHandset;
    http.peer = source::kServer;
    http.kind = kind::kHttp;
    http.direction = Direction::kOut;
    http.summary = "POST /dm -> 500";
    http.raw = codec::Bytes(req.begin(), req.end());
    http.response = codec::Bytes(rsp.begin(), rsp.end());
    error.trace.push_back(http);
  }

  CaseResult none;
  none.id = "DM-BOOT-004";
  none.title = "Bootstrap from smart card";
  none.requirements = {"DM-BOOT-R-004"};
  none.verdict = Verdict::kNone;
  none.reason = "not applicable";
  none.applicability = "PICS DM-SC-001 (smart card bootstrap) not supported";
  none.started_us = t0 + 7000000;

  c.cases = {pass, fail, inconc, error, none};
  return c;
}

}  // namespace omaiop::reports::testing
