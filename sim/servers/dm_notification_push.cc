#include "sim/servers/dm_notification_push.h"

#include "codec/wsp_push.h"

namespace omaiop::sim::servers {

codec::Bytes EncodePackage0WspPush(codec::ByteView pkg0,
                                   const Package0PushOptions& o) {
  codec::WspPush push;
  push.tid = o.tid;
  push.pdu_type = codec::kWspPduPush;
  push.content_type.form = codec::WspContentType::Form::kShort;
  push.content_type.well_known = codec::kCtSyncmlNotification;
  if (o.application_id)
    push.application_id = codec::WspApplicationId{*o.application_id, {}};
  push.body.assign(pkg0.begin(), pkg0.end());
  return codec::EncodeWspPush(push);
}

codec::Result<std::vector<codec::Bytes>> ComposePackage0Sms(
    codec::ByteView pkg0, const Package0PushOptions& o) {
  codec::WdpDatagram d;
  d.dst_port = o.dst_port;
  d.src_port = o.src_port;
  d.payload = EncodePackage0WspPush(pkg0, o);
  return codec::SegmentWdpDatagram(d, o.segments);
}

NotificationSink SmsNotificationSink(PushSink& sink, std::string to_msisdn,
                                     Package0PushOptions o) {
  return [&sink, to = std::move(to_msisdn), o](const codec::Bytes& pkg0) {
    auto segs = ComposePackage0Sms(pkg0, o);
    if (segs.ok()) sink.Deliver(*segs, to);
  };
}

}  // namespace omaiop::sim::servers
