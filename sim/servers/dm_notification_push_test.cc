#include "sim/servers/dm_notification_push.h"

#include <gtest/gtest.h>

#include "codec/dm_notification.h"
#include "codec/wsp_push.h"

namespace omaiop::sim::servers {
namespace {

TEST(DmNotificationPush, SmsSegmentsCarryASignedPackage0ToPort2948) {
  DmServerConfig cfg;
  cfg.server_id = "omaiop-test";
  DmServer srv(cfg);  // not started: NotifySession needs no socket
  CollectingPushSink sink;
  Package0Options o;
  o.server_password = "srvpwd";
  o.nonce = {1, 2, 3};
  o.session_id = 0x1234;
  // A long trigger body forces two segments.
  o.trigger_body = codec::Bytes(150, 0xEE);
  codec::Bytes pkg0 =
      srv.NotifySession(o, SmsNotificationSink(sink, "+4917012345678"));
  ASSERT_EQ(sink.deliveries().size(), 1u);
  const auto& d = sink.deliveries()[0];
  EXPECT_EQ(d.to_msisdn, "+4917012345678");
  ASSERT_EQ(d.segments.size(), 2u);
  codec::SmsReassembler re;
  std::optional<codec::WdpDatagram> dgram;
  for (auto it = d.segments.rbegin(); it != d.segments.rend(); ++it) {
    EXPECT_LE(it->size(), 140u);
    auto r = re.Add(*it);
    ASSERT_TRUE(r.ok());
    if (*r) dgram = **r;
  }
  ASSERT_TRUE(dgram);
  EXPECT_EQ(dgram->dst_port, 2948);
  auto push = codec::ParseWspPush(dgram->payload);
  ASSERT_TRUE(push.ok()) << push.error().what;
  EXPECT_EQ(push->content_type.MediaName(),
            "application/vnd.syncml.notification");
  ASSERT_TRUE(push->application_id);
  EXPECT_EQ(push->application_id->code, 0x07u);
  EXPECT_EQ(push->body, pkg0);
  EXPECT_TRUE(codec::VerifyNotificationDigest(push->body, "omaiop-test",
                                              "srvpwd", o.nonce)
                  .ok());
  auto n = codec::ParseDmNotification(push->body);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->session_id, 0x1234);
}

}  // namespace
}  // namespace omaiop::sim::servers
