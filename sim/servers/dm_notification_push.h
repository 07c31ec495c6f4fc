// Package 0 over SMS: a DM notification (dm_server.h BuildPackage0) wrapped
// in a connectionless WSP Push (content type 0x44
// application/vnd.syncml.notification, X-Wap-Application-Id 0x07
// x-wap-application:syncml.dm) to WDP port 2948, segmented into SMS user
// data (dm.md §3.2 row 0, §3.8; cp.md §2.2–§2.3 for WSP/WDP). The segments
// go to a PushSink (cp_push_server.h), e.g. the SMPP SMSC path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"
#include "codec/sms_udh.h"
#include "sim/servers/cp_push_server.h"
#include "sim/servers/dm_server.h"

namespace omaiop::sim::servers {

struct Package0PushOptions {
  std::uint8_t tid = 0x01;
  std::uint16_t dst_port = codec::kWdpPortWapPush;      // 2948
  std::uint16_t src_port = codec::kWdpPortWspConnless;  // 9200
  // x-wap-application:syncml.dm (WINA code 0x07); unset = no header.
  std::optional<std::uint32_t> application_id = 0x07;
  codec::WdpSegmentOptions segments;
};

// The WSP Push PDU carrying `pkg0`.
codec::Bytes EncodePackage0WspPush(codec::ByteView pkg0,
                                   const Package0PushOptions& o = {});
// The SMS user data segments (TP-UD octets) of that push.
codec::Result<std::vector<codec::Bytes>> ComposePackage0Sms(
    codec::ByteView pkg0, const Package0PushOptions& o = {});
// A NotificationSink for DmServer::NotifySession that composes the SMS
// segments and delivers them to `sink` for `to_msisdn`. `sink` must outlive
// the returned function. A composition failure delivers nothing.
NotificationSink SmsNotificationSink(PushSink& sink, std::string to_msisdn,
                                     Package0PushOptions o = {});

}  // namespace omaiop::sim::servers
